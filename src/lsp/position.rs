//! Byte offsets ↔ LSP positions. LSP counts a line's characters in UTF-16
//! code units (the default `positionEncoding`), so `é` is one and `🙂` two.

use lsp_types::{Position, Range};

use crate::source::Span;

/// Where each line of a text starts.
pub struct LineMap {
    starts: Vec<usize>,
}

impl LineMap {
    pub fn new(text: &str) -> LineMap {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineMap { starts }
    }

    /// The position of a byte offset (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let character = text[self.starts[line]..offset].encode_utf16().count();
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position: past the end of its line is the end
    /// of the line; past the last line is the end of the text.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(text.len(), |&next| next - 1);
        let mut units = 0;
        // A position inside a character (between the halves of a
        // surrogate pair) is that character's start.
        for (i, c) in text[start..end].char_indices() {
            if units + c.len_utf16() > position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "a\ntitle \"Café 🙂 ok\"\n";
        let map = LineMap::new(text);
        let ok = text.find("ok").expect("ok");
        // `title "Caf` is 10 units, `é` 1, ` ` 1, `🙂` 2, ` ` 1.
        assert_eq!(map.position(text, ok), Position::new(1, 15));
        assert_eq!(map.offset(text, Position::new(1, 15)), ok);
        let emoji = text.find('🙂').expect("emoji");
        assert_eq!(map.position(text, emoji), Position::new(1, 12));
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(map.offset(text, Position::new(1, 13)), emoji);
        // Past the end of a line, and past the last line.
        assert_eq!(map.offset(text, Position::new(0, 99)), 1);
        assert_eq!(map.offset(text, Position::new(9, 0)), text.len());
        // Every offset maps back to itself.
        for (offset, _) in text.char_indices() {
            assert_eq!(
                map.offset(text, map.position(text, offset)),
                offset,
                "{offset}"
            );
        }
        // A byte inside a character goes back to its start.
        assert_eq!(map.position(text, emoji + 1), Position::new(1, 12));
    }
}
