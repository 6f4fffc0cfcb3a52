"""Review and retrain (issue 20): staff decide what each unanswered message was, the
decisions become training data, and a candidate model goes live only if a regression
gate finds it no worse than the model it replaces.

Plain Python that knows no Rasa: training and scoring run as child processes
(`python -m rasa train`, `python -m scripts.gate_scores`), so the staff process that
starts a retrain never loads TensorFlow.
"""
