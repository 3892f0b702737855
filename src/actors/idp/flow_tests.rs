//! TODO(helper): tests of registration, authorization and token endpoints.
