//! Layer 5: report writers. They read only layer-0 types.
