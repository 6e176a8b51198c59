"""The RoFormer model in NumPy: attention (eqs 2, 16, 19), GELU, weights, the encoder."""
