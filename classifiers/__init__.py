"""Text classifiers (jieba tokens + TF-IDF, scikit-learn): topic, grade, rumour, key categories."""
