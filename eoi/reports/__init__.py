"""Reports on the fund: figures, tables and the charts drawn beside them."""
