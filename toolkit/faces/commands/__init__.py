"""Command groups added to the `hardneg` CLI by feature modules (each file registers its own commands)."""
