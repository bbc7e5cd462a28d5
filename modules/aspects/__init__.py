"""Cross-cutting rules applied to every stack as CDKTF Aspects; they fail synth with a clear message."""
