"""Training and evaluation of tagassist's recommender models. Never imports Qt."""
