"""Risk: indicators per place and profile, their statistics and uncertainty."""
