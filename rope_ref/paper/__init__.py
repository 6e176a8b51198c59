"""The paper's math: the four steps of RoPE (arXiv 2104.09864 v5) and its decay."""
