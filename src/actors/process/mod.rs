//! TODO(helper): launching a target process.
