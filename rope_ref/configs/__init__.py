"""From a model's config.json to its RoPE, layer by layer (``rope_ref.model_rope``)."""
