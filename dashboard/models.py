# The dashboard reads other apps' tables; it owns none.
