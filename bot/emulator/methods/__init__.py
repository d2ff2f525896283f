"""The Bot API methods the emulated server implements, one module per group."""
