"""What every API family shares: the resolver factory, authentication before validation, error shapes."""
