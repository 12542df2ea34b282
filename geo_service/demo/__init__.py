"""The Perstorp demo: a seeded, approximate but realistic two years of EST data for kommun 1275."""
