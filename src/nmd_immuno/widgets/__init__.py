"""ipywidgets front ends, one module per tool: layout and wiring only; every decision is made in the package."""
