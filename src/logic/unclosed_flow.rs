//! Finds the flow collection (`[…]` or `{…}`) a YAML error comes from when it was never
//! closed. The parser only notices a missing `]` where the text stops making sense inside
//! a flow collection, usually on the next line (`illegal placement of ':' indicator`, or a
//! type error on a scalar that swallowed the next key): the mistake is at the bracket.
//!
//! A light scan, not a YAML parser: it knows comments, quoted scalars, block scalars and
//! where a `[` or `{` can start a node (YAML 1.2.2 §7.4, §7.3, §8.1). It is consulted only
//! after the real parser has failed, and only claims a bracket that is still open at the
//! error and still open when a later line starts a new key or item at (or left of) the
//! column of the node that holds it, which a closed-in-time flow collection never is.

/// A `[` or `{` whose collection is still open where it should have ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnclosedFlow {
    /// `[` or `{`.
    pub bracket: char,
    /// 1-based position of the bracket.
    pub line: u64,
    pub column: u64,
    /// The first later line that starts a new key or item while the collection is open.
    pub open_at_line: u64,
}

impl UnclosedFlow {
    /// "list" or "mapping", the words a case author uses.
    pub fn kind(&self) -> &'static str {
        if self.bracket == '[' {
            "list"
        } else {
            "mapping"
        }
    }

    pub fn closer(&self) -> char {
        if self.bracket == '[' {
            ']'
        } else {
            '}'
        }
    }
}

/// The outermost flow collection that is open at `(line, column)` (1-based; a bracket at
/// exactly that place counts) and still open when a later line starts at or left of the
/// column of the key or item that holds it.
pub fn unclosed_flow_at(text: &str, line: u64, column: u64) -> Option<UnclosedFlow> {
    let brackets = scan(text);
    brackets
        .iter()
        .filter(|b| (b.line, b.column) <= (line, column))
        .filter(|b| b.closed.is_none_or(|c| c > (line, column)))
        .find_map(|b| {
            b.open_at_line.map(|open_at_line| UnclosedFlow {
                bracket: b.bracket,
                line: b.line,
                column: b.column,
                open_at_line,
            })
        })
}

#[derive(Debug)]
struct Bracket {
    bracket: char,
    line: u64,
    column: u64,
    /// Column (0-based) of the key or item on the bracket's line: a line indented this far
    /// or less ends the node in block context.
    node_column: usize,
    closed: Option<(u64, u64)>,
    open_at_line: Option<u64>,
}

/// Every flow bracket of the text, in order, with where it closed.
fn scan(text: &str) -> Vec<Bracket> {
    let mut brackets: Vec<Bracket> = Vec::new();
    // Indices into `brackets` of the collections open now, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    // Content lines of a block scalar are indented more than its node (§8.1.1.1).
    let mut block_scalar_over: Option<usize> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index as u64 + 1;
        let chars: Vec<char> = raw.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars.iter().all(|c| c.is_whitespace());
        if let Some(over) = block_scalar_over {
            if blank || indent > over {
                continue;
            }
            block_scalar_over = None;
        }
        let starts_node = !blank && chars.get(indent) != Some(&'#');
        if quote.is_none() && starts_node {
            for &i in &open {
                let b = &mut brackets[i];
                if b.open_at_line.is_none() && indent <= b.node_column {
                    b.open_at_line = Some(line_no);
                }
            }
        }
        let node_column = node_column(&chars);
        let mut previous: Option<char> = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let column = i as u64 + 1;
            if let Some(q) = quote {
                if q == '"' && c == '\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                    previous = Some(c);
                }
                i += 1;
                continue;
            }
            let after_space = i == 0 || chars[i - 1].is_whitespace();
            if c == '#' && after_space {
                break;
            }
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let in_flow = !open.is_empty();
            let token_start = match previous {
                None => true,
                Some('[' | '{' | ',') => true,
                Some(':' | '-' | '?') => after_space,
                Some(_) => false,
            };
            match c {
                '"' | '\'' if token_start => quote = Some(c),
                '[' | '{' if in_flow || token_start => {
                    open.push(brackets.len());
                    brackets.push(Bracket {
                        bracket: c,
                        line: line_no,
                        column,
                        node_column,
                        closed: None,
                        open_at_line: None,
                    });
                }
                ']' | '}' if in_flow => {
                    if let Some(j) = open.pop() {
                        brackets[j].closed = Some((line_no, column));
                    }
                }
                '|' | '>' if !in_flow && token_start => {
                    block_scalar_over = Some(node_column);
                    break;
                }
                _ => {}
            }
            previous = Some(c);
            i += 1;
        }
    }
    brackets
}

/// The column (0-based) where the key or item of a line starts, after its indentation and
/// any `- ` sequence-entry indicators.
fn node_column(chars: &[char]) -> usize {
    let mut i = chars.iter().take_while(|c| **c == ' ').count();
    while chars.get(i) == Some(&'-') && chars.get(i + 1).is_none_or(|c| c.is_whitespace()) {
        i += 1;
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_list_left_open_before_the_next_key() {
        let text = "id: x\nrevisions: [a, b\nrationale: >\n  text\n";
        let found = unclosed_flow_at(text, 3, 10).unwrap();
        assert_eq!((found.bracket, found.line, found.column), ('[', 2, 12));
        assert_eq!(found.open_at_line, 3);
        // The error may be on the bracket itself (a type error on the list it starts).
        assert!(unclosed_flow_at("level: [MUST\nid: x\n", 1, 8).is_some());
    }

    #[test]
    fn finds_a_mapping_left_open_in_a_step() {
        let text = "steps:\n  - send: {url: x, mcp: y\n    expect: []\n";
        let found = unclosed_flow_at(text, 3, 11).unwrap();
        assert_eq!((found.bracket, found.line, found.column), ('{', 2, 11));
    }

    #[test]
    fn claims_nothing_for_collections_closed_in_time_or_brackets_in_text() {
        for text in [
            "a: [1,\n  2]\nb: 3 x: y\n",
            "a: b [c\nd: e: f\n",
            "a: \"[x\"\nb: c: d\n",
            "a: '[it''s'\nb: c: d\n",
            "a: |\n  [x\nb: c: d\n",
            "a: x # [ comment\nb: c: d\n",
            "- name: x\n  run: >\n    {\n  send: c: d\n",
            "a: [\"x]\", 'y]', z]\nb: c: d\n",
        ] {
            assert_eq!(unclosed_flow_at(text, 99, 1), None, "{text}");
        }
    }

    #[test]
    fn a_collection_that_spans_indented_lines_is_not_unclosed_until_a_key_starts() {
        let text = "a: [1,\n  2, x: y: z\n";
        assert_eq!(unclosed_flow_at(text, 2, 9), None);
    }
}
