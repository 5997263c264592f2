"""The domain: the aggregates, which decide and trigger past-tense events, and the rules they decide by.

Calendar and working time, the dates a record may carry, dispute windows, roles and what each may do,
the error vocabulary of refusals. Nothing here opens a store or reads the read model.
"""
