"""Models of the evidence insights (text, duplicates, document facts, hints, annual reports)."""

from kaohe.insights.models_reports import *  # noqa: F403
