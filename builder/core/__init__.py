"""The bottom layer: the data model, text rules, errors, timelines and limits.

Entry point: `builder.core.model` (Store, SurveyData, Answer, Change, Capture).
May import: the standard library and click (errors are click exceptions) only, never
another folder of builder.
"""
