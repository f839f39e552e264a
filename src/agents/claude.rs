//! Claude Code transcripts (stub: being written).
use super::{Reader, Record, Skip};
use std::path::{Path, PathBuf};

pub struct ClaudeReader;
impl ClaudeReader {
    pub fn open(_path: &Path, _state: Option<&str>) -> Self {
        ClaudeReader
    }
}
impl Reader for ClaudeReader {
    fn read_line(&mut self, _l: &[u8], _o: u64, _out: &mut Vec<Record>) -> Result<(), Skip> {
        Ok(())
    }
    fn save_state(&self) -> String {
        String::new()
    }
}
pub fn discover(_home: &Path, _root: &Path) -> Vec<PathBuf> {
    Vec::new()
}
