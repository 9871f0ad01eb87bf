"""The recommendation engine: implicit ALS with confidence weighting (skips as negatives),
blended with item co-listening, tags, the friend graph, content vectors and popularity; an ANN
index for candidates; the reranker (context, freshness, diversity); offline evaluation.

Pure: numpy, scipy, implicit and usearch only. No database, no HTTP, no other tonearm domain.
"""

from tonearm.recs.engine.ann import AnnIndex
from tonearm.recs.engine.evaluation import coverage, holdout, ndcg_at_k, recall_at_k, top_k
from tonearm.recs.engine.model import Model
from tonearm.recs.engine.rerank import rerank
from tonearm.recs.engine.training import Progress, train
from tonearm.recs.engine.values import Context, Feedback, Params, Pick, Reason, ReasonKind, SideInfo

__all__ = [
    "AnnIndex",
    "Context",
    "Feedback",
    "Model",
    "Params",
    "Pick",
    "Progress",
    "Reason",
    "ReasonKind",
    "SideInfo",
    "coverage",
    "holdout",
    "ndcg_at_k",
    "recall_at_k",
    "rerank",
    "top_k",
    "train",
]
