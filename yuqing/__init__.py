"""yuqing: the command-line and web shells over the pipeline, classifiers and flows packages."""
