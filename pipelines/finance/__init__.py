"""Finance sign-off: month closes and the figures they publish."""
