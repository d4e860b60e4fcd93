"""The ``remun`` command line: one module per command group, all registered in main.py
(the console script's entry point). Commands call the same operations as the pages."""
