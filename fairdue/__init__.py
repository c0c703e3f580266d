"""fairdue: lawful servicing and collection of installment credit."""

__version__ = "0.1.0"
