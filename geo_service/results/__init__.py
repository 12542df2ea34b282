"""Reading stored analysis runs for the outputs: which run a request reads, and its hotspot cells.

SQL lives here in named constants with bound parameters; the API routers only parse requests
and shape responses.
"""
