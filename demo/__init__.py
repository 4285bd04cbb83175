"""Fictional demo data for Yardstick (`manage.py seed_demo`).

- `data`: the catalogue: brands, people's names, projects, comments (all invented);
- `model`: the random model (latent maturity, answers drawn from it), pure functions;
- `plan`: a whole scenario planned in memory from a seed, still without the database;
- `builder`: turns a plan into database rows with bulk inserts, finds and removes demo data.
"""
