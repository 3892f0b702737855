//! `--partition hash:K/N` and `count:K/N` (nextest's syntax): a stable share of a run's
//! cases, so that a CI matrix spreads one run over N machines and `merge` puts the shard
//! reports back together.
//!
//! The unit shared out is a group, never a case run: every revision of a case goes to
//! the same shard. The cases of an official scenario that the run's baseline lists as a
//! whole go to one shard too, so that the entry is judged inside one shard (stale only
//! if every case it lists passed); other cases are shared out one by one, which keeps
//! the shards even (`auth/metadata-default` alone has about 47 client cases).

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::vocab::{Shard, ShardKind};

/// One shard: `shard` of `total`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub kind: ShardKind,
    pub shard: u64,
    pub total: u64,
}

/// The grammar, as every syntax error states it.
pub const PARTITION_GRAMMAR: &str =
    "write hash:K/N or count:K/N with 1 <= K <= N, e.g. --partition hash:1/3";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid partition `{given}`: {problem}; {PARTITION_GRAMMAR}")]
pub struct ParsePartitionError {
    pub given: String,
    pub problem: String,
}

impl FromStr for Partition {
    type Err = ParsePartitionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = |problem: &str| ParsePartitionError {
            given: s.to_string(),
            problem: problem.to_string(),
        };
        let (kind, share) = s
            .split_once(':')
            .ok_or_else(|| error("no `hash:` or `count:` before the share"))?;
        let kind = match kind {
            "hash" => ShardKind::Hash,
            "count" => ShardKind::Count,
            other => return Err(error(&format!("unknown kind `{other}`"))),
        };
        let (k, n) = share
            .split_once('/')
            .ok_or_else(|| error("the share is not K/N"))?;
        let number = |text: &str, what: &str| {
            text.parse::<u64>()
                .map_err(|_| error(&format!("{what} `{text}` is not a positive whole number")))
        };
        let (shard, total) = (number(k, "K")?, number(n, "N")?);
        if total == 0 {
            return Err(error("N is 0"));
        }
        if shard == 0 || shard > total {
            return Err(error(&format!("K is {shard}, not in 1..={total}")));
        }
        Ok(Partition { kind, shard, total })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.mark().fmt(f)
    }
}

/// The group a case is shared out with: its official scenario when the baseline lists
/// that scenario as a whole (`scenario` is then `Some`), else the case itself. The two
/// kinds of key cannot collide.
pub fn group_key(case_id: &str, scenario: Option<&str>) -> String {
    match scenario {
        Some(s) => format!("scenario:{s}"),
        None => format!("case:{case_id}"),
    }
}

/// The first eight bytes of the key's SHA-256: the same on every machine, Rust version
/// and run (`DefaultHasher` promises none of that).
fn stable_hash(key: &str) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

impl Partition {
    /// What the shard's report says of it.
    pub fn mark(&self) -> Shard {
        Shard {
            kind: self.kind,
            index: self.shard,
            total: self.total,
        }
    }

    /// For each group key (one per case, repeated for the cases of one group), whether
    /// this shard runs it.
    pub fn members(&self, keys: &[String]) -> Vec<bool> {
        match self.kind {
            ShardKind::Hash => keys
                .iter()
                .map(|k| stable_hash(k) % self.total == self.shard - 1)
                .collect(),
            ShardKind::Count => {
                let mut sorted: Vec<&String> = keys.iter().collect();
                sorted.sort_unstable();
                sorted.dedup();
                keys.iter()
                    .map(|k| {
                        let index = sorted.binary_search(&k).unwrap_or_default() as u64;
                        index % self.total == self.shard - 1
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Vec<String> {
        let mut keys: Vec<String> = (0..40)
            .map(|i| group_key(&format!("c/{i}"), None))
            .collect();
        keys.push(group_key("client/a", Some("auth/x")));
        keys.push(group_key("client/b", Some("auth/x")));
        keys
    }

    #[test]
    fn parses_nextest_syntax() {
        assert_eq!(
            "hash:2/3".parse(),
            Ok(Partition {
                kind: ShardKind::Hash,
                shard: 2,
                total: 3
            })
        );
        assert_eq!(
            "count:1/1".parse::<Partition>().unwrap().kind,
            ShardKind::Count
        );
        assert_eq!(
            "hash:3/3".parse::<Partition>().unwrap().to_string(),
            "hash:3/3"
        );
        for bad in [
            "hash:0/3",
            "hash:4/3",
            "hash:1/0",
            "hash:1",
            "3/3",
            "slice:1/2",
            "hash:a/2",
            "hash:-1/2",
            "",
        ] {
            let e = bad.parse::<Partition>().unwrap_err().to_string();
            assert!(e.contains(PARTITION_GRAMMAR), "{bad}: {e}");
        }
    }

    #[test]
    fn shards_are_disjoint_and_cover_everything() {
        let keys = keys();
        for kind in [ShardKind::Hash, ShardKind::Count] {
            let shards: Vec<Vec<bool>> = (1..=3)
                .map(|shard| {
                    Partition {
                        kind,
                        shard,
                        total: 3,
                    }
                    .members(&keys)
                })
                .collect();
            for i in 0..keys.len() {
                let holders = shards.iter().filter(|s| s[i]).count();
                assert_eq!(holders, 1, "{kind:?} {}", keys[i]);
            }
            assert!(shards.iter().all(|s| s.iter().any(|m| *m)), "{kind:?}");
        }
    }

    #[test]
    fn a_scenario_stays_in_one_shard() {
        let keys = keys();
        for shard in 1..=3 {
            let m = Partition {
                kind: ShardKind::Hash,
                shard,
                total: 3,
            }
            .members(&keys);
            assert_eq!(m[40], m[41]);
        }
    }

    #[test]
    fn the_hash_is_stable() {
        // Pinned: a change here moves cases between the shards of every user's CI.
        assert_eq!(stable_hash("case:server/prm/resource-matches-url") % 3, {
            let d = Sha256::digest(b"case:server/prm/resource-matches-url");
            u64::from_be_bytes(d[..8].try_into().unwrap()) % 3
        });
        assert_eq!(stable_hash(""), 0xe3b0c44298fc1c14);
    }

    #[test]
    fn count_deals_round_robin_over_sorted_keys() {
        let keys: Vec<String> = ["d", "a", "c", "b"].iter().map(|s| s.to_string()).collect();
        let first = Partition {
            kind: ShardKind::Count,
            shard: 1,
            total: 2,
        }
        .members(&keys);
        // Sorted: a b c d → shard 1 holds a and c.
        assert_eq!(first, [false, true, true, false]);
    }
}
