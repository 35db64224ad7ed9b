"""Stage 6, app: what users run. Scenario files (schema, loading, building, running), the
``scplan`` command line, sweeps, results folders, reports, maps, Marxan interoperability and
benchmark helpers.

May import: every stage below it.
"""
