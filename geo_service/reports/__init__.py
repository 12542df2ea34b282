"""The lägesbild: meeting and yearly reports as self-contained HTML (images embedded) and PDF."""
