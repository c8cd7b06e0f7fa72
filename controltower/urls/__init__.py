"""The URLconfs, one per tier: `source` (the source API) and `control` (the control tier);
controltower/tier.py decides which one a process mounts (settings.ROOT_URLCONF). `common` holds
what both mount."""
