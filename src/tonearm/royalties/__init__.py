"""Royalties: the monthly run from counted streams to cent-exact statements per rightsholder."""
