"""Security gate: checkov over synthesized CDKTF stacks, with a per-resource suppression registry."""
