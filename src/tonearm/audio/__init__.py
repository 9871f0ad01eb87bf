"""Pure audio code: probing, tags, loudness, audio features, the rendition ladder,
gapless bookkeeping, HLS packaging and the demo synthesizer.

Nothing here touches a database, the network or another tonearm package.
"""

from tonearm.audio.decode import decode_raw, decode_trimmed
from tonearm.audio.errors import AudioError, AudioTooLarge, UnsupportedAudio
from tonearm.audio.features import (
    ANALYSER,
    AudioFeatures,
    analyse_features,
    features_of_file,
    read_mono,
)
from tonearm.audio.gapless import Trim, read_trim
from tonearm.audio.ladder import LADDER, Rendition, Rung, rung_named
from tonearm.audio.loudness import (
    LOUDNESS_FLOOR_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    TRUE_PEAK_FLOOR_DBTP,
    Loudness,
    gain_to_target,
    measure_loudness,
)
from tonearm.audio.package import HlsPackage, HlsVariant, master_playlist_for, package_hls
from tonearm.audio.probe import ACCEPTED_FORMATS, MAX_CHANNELS, Probe, probe
from tonearm.audio.synth import TIMBRES, SynthSpec, spec_for_demo, synthesize
from tonearm.audio.tags import Tags, read_tags
from tonearm.audio.transcode import clip, lossy_rate, transcode_ladder

__all__ = [
    "ACCEPTED_FORMATS",
    "ANALYSER",
    "LADDER",
    "LOUDNESS_FLOOR_LUFS",
    "MAX_CHANNELS",
    "TIMBRES",
    "TRUE_PEAK_CEILING_DBTP",
    "TRUE_PEAK_FLOOR_DBTP",
    "AudioError",
    "AudioFeatures",
    "AudioTooLarge",
    "HlsPackage",
    "HlsVariant",
    "Loudness",
    "Probe",
    "Rendition",
    "Rung",
    "SynthSpec",
    "Tags",
    "Trim",
    "UnsupportedAudio",
    "analyse_features",
    "clip",
    "decode_raw",
    "decode_trimmed",
    "features_of_file",
    "gain_to_target",
    "lossy_rate",
    "master_playlist_for",
    "measure_loudness",
    "package_hls",
    "probe",
    "read_mono",
    "read_tags",
    "read_trim",
    "rung_named",
    "spec_for_demo",
    "synthesize",
    "transcode_ladder",
]
