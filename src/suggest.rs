//! "Did you mean": the closest candidate to a misspelt name.

/// The candidate closest to `word`, if one is close enough to be a likely
/// typo: an edit distance of at most a third of the word's length (at least
/// one edit), or the same word in another case or with `-` for `_`.
///
/// The cost is bounded whatever the word: a word longer than
/// [`MAX_WORD_BYTES`] gets no suggestion, and a candidate whose length alone
/// puts it out of reach is skipped before any distance is computed.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    if word.len() > MAX_WORD_BYTES {
        return None;
    }
    let folded = fold(word);
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word || candidate.chars().count().abs_diff(length) > limit {
            continue;
        }
        let distance = if fold(candidate) == folded {
            0
        } else {
            strsim::damerau_levenshtein(&folded, &fold(candidate))
        };
        if distance <= limit && best.is_none_or(|(d, c)| (distance, candidate) < (d, c)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Words longer than this (bytes) are not names anyone misspelt.
pub const MAX_WORD_BYTES: usize = 256;

fn fold(word: &str) -> String {
    word.to_lowercase().replace('-', "_")
}

/// `did you mean `x`?` for the closest candidate.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_typos_and_ignores_far_words() {
        let queues = ["billing_ops", "trust_and_safety", "compliance_ops"];
        assert_eq!(closest("biling_ops", queues), Some("billing_ops"));
        assert_eq!(closest("Billing-Ops", queues), Some("billing_ops"));
        assert_eq!(closest("sales", queues), None);
        assert_eq!(
            closest("prioritty", ["priority", "title"]),
            Some("priority")
        );
        // A huge value costs nothing and suggests nothing.
        assert_eq!(closest(&"billing_ops".repeat(100_000), queues), None);
        assert_eq!(closest(&format!("{}x", "b".repeat(40)), queues), None);
    }
}
