"""Model training outside the core: data loading, fitting, evaluation, plots and export.

The credit scorecard and the fraud model are trained here. This package may use numpy,
pandas, optbinning, scikit-learn and matplotlib (the ``train`` extra). Nothing here runs on
a call: it writes JSON artefacts that the framework-free risk core reads.
"""
