//! From the names on the command line to one table of text columns per file, named by
//! role: files, globs and `-` (stdin); CSV (delimiter sniffed, UTF-8 with or without a
//! BOM, or Windows-1252), gzip-compressed CSV, and Parquet.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use super::columns::{self, ColumnRoles, Role, RoleError};
use crate::error::{Error, Location, Result};

/// One input named on the command line, after glob expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Path(PathBuf),
    Stdin,
}

impl Source {
    pub fn display(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Stdin => "<stdin>".to_string(),
        }
    }
}

/// `--encoding`: how the bytes of a CSV file become text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 when the file is valid UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    Windows1252,
}

impl Encoding {
    pub fn parse(text: &str) -> std::result::Result<Encoding, String> {
        match columns::normalise(text).as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf8" => Ok(Encoding::Utf8),
            "latin1" | "iso88591" | "windows1252" | "cp1252" => Ok(Encoding::Windows1252),
            _ => Err(format!(
                "unknown encoding {text:?}: use auto, utf-8 or windows-1252 (latin-1)"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    CsvGzip,
    Parquet,
}

impl FileFormat {
    pub fn label(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::CsvGzip => "CSV, gzip-compressed",
            FileFormat::Parquet => "Parquet",
        }
    }
}

/// How to read the files: the options of `input`, resolved.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub map: Vec<(Role, String)>,
    pub encoding: Encoding,
    pub delimiter: Option<u8>,
}

/// One file read into text columns named by role (`customer`, `date`, …).
pub struct RawFile {
    pub name: String,
    pub format: FileFormat,
    /// `UTF-8`, `UTF-8 with BOM`, `Windows-1252`; empty for Parquet.
    pub encoding: &'static str,
    pub delimiter: Option<u8>,
    pub header: Vec<String>,
    pub roles: ColumnRoles,
    pub frame: DataFrame,
    /// The decoded CSV text, kept so an error can name the line of a record.
    text: Option<Vec<u8>>,
}

impl RawFile {
    /// Where data row `row` (0-based, header excluded) is, for an error message.
    pub fn locate(&self, row: usize, role: Role, value: Option<&str>) -> Location {
        let line = match &self.text {
            Some(text) => record_line(text, self.delimiter.unwrap_or(b','), row),
            None => Some(row as u64 + 1),
        };
        Location {
            file: self.name.clone(),
            line,
            is_row: self.text.is_none(),
            column: self.roles.column(role).map(str::to_string),
            value: value.map(str::to_string),
        }
    }
}

/// Expands globs and checks that every named input exists and is a file.
pub fn expand(inputs: &[String]) -> Result<Vec<Source>> {
    let mut sources = Vec::new();
    for input in inputs {
        if input == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        let path = Path::new(input);
        if !path.exists() && input.contains(['*', '?', '[']) {
            let mut matched: Vec<PathBuf> = glob::glob(input)
                .map_err(|e| Error::usage(format!("bad glob pattern {input:?}: {e}")))?
                .filter_map(std::result::Result::ok)
                .filter(|p| p.is_file())
                .collect();
            if matched.is_empty() {
                return Err(Error::file(
                    input,
                    "no file matches this pattern",
                    "check the folder and the pattern; quote it so rebuy, not the shell, expands it",
                ));
            }
            matched.sort();
            sources.extend(matched.into_iter().map(Source::Path));
            continue;
        }
        if !path.exists() {
            return Err(Error::file(
                input,
                "file not found",
                "check the path (and quote globs such as 'exports/*.csv')",
            ));
        }
        if path.is_dir() {
            return Err(Error::file(
                input,
                "is a directory, not a file",
                format!(
                    "name the files inside it, e.g. '{}/*.csv'",
                    input.trim_end_matches('/')
                ),
            ));
        }
        sources.push(Source::Path(path.to_path_buf()));
    }
    Ok(sources)
}

/// Reads one input into text columns named by role.
pub fn read(source: &Source, options: &ReadOptions) -> Result<RawFile> {
    let name = source.display();
    let raw = read_all(source, &name)?;
    let (format, bytes) = if raw.starts_with(&[0x1f, 0x8b]) {
        (FileFormat::CsvGzip, gunzip(&raw, &name)?)
    } else {
        (FileFormat::Csv, raw)
    };
    if format == FileFormat::Csv && bytes.starts_with(b"PAR1") {
        return read_parquet(name, bytes, options);
    }
    read_csv(name, format, bytes, options)
}

fn read_all(source: &Source, name: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let result = match source {
        Source::Stdin => std::io::stdin().lock().read_to_end(&mut bytes),
        Source::Path(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)),
    };
    result.map_err(|e| {
        Error::file(
            name,
            format!("cannot read the file: {e}"),
            "check that it exists and that you may read it",
        )
    })?;
    Ok(bytes)
}

fn gunzip(raw: &[u8], name: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(raw)
        .read_to_end(&mut out)
        .map_err(|e| {
            Error::file(
                name,
                format!("cannot decompress this gzip file: {e}"),
                "the file may be truncated; export or download it again",
            )
        })?;
    Ok(out)
}

fn read_csv(
    name: String,
    format: FileFormat,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<RawFile> {
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, &bytes[..]),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::file(
            &name,
            "the file is empty",
            "export the orders again; rebuy needs a header row and at least one order line",
        ));
    }
    if body.iter().take(8192).any(|&b| b == 0) {
        return Err(Error::file(
            &name,
            "this looks like a binary file, not CSV text",
            "rebuy reads CSV (optionally .csv.gz) and Parquet order exports",
        ));
    }
    let (text, encoding) = decode(body, bom, options.encoding, &name)?;
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let header = read_header(&text, delimiter, &name)?;
    let roles = detect_roles(&name, &header, options)?;

    let wanted: Arc<[PlSmallStr]> = roles
        .assigned
        .iter()
        .map(|(_, column)| PlSmallStr::from(column.as_str()))
        .collect();
    let frame = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_columns(Some(wanted))
        .with_parse_options(CsvParseOptions::default().with_separator(delimiter))
        .into_reader_with_file_handle(Cursor::new(&text[..]))
        .finish()
        .map_err(|e| {
            Error::file(
                &name,
                format!("cannot read this CSV: {e}"),
                format!(
                    "check the quoting of the file; rebuy read it with delimiter {:?} (--delimiter changes that)",
                    delimiter as char
                ),
            )
        })?;
    let frame = by_role(frame, &roles, &name)?;
    Ok(RawFile {
        name,
        format,
        encoding,
        delimiter: Some(delimiter),
        header,
        roles,
        frame,
        text: Some(text),
    })
}

fn read_parquet(name: String, bytes: Vec<u8>, options: &ReadOptions) -> Result<RawFile> {
    let unreadable = |e: PolarsError| {
        Error::file(
            &name,
            format!("cannot read this Parquet file: {e}"),
            "the file may be truncated; export it again",
        )
    };
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let header: Vec<String> = reader
        .schema()
        .map_err(unreadable)?
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    let roles = detect_roles(&name, &header, options)?;
    let wanted = roles.assigned.iter().map(|(_, c)| c.clone()).collect();
    let frame = reader
        .with_columns(Some(wanted))
        .finish()
        .map_err(unreadable)?;
    let frame = by_role(frame, &roles, &name)?;
    Ok(RawFile {
        name,
        format: FileFormat::Parquet,
        encoding: "",
        delimiter: None,
        header,
        roles,
        frame,
        text: None,
    })
}

fn detect_roles(name: &str, header: &[String], options: &ReadOptions) -> Result<ColumnRoles> {
    columns::detect(header, &options.map).map_err(|e| {
        let found = header
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        match e {
            RoleError::Missing { role } => Error::file(
                name,
                format!(
                    "no column for the {role} (tried {}); the columns are {found}",
                    role.candidates().join(", ")
                ),
                format!("name the column with --map {role}=COLUMN"),
            ),
            RoleError::MappedColumnAbsent { role, column } => Error::file(
                name,
                format!(
                    "--map {role}={column}: there is no column {column:?}; the columns are {found}"
                ),
                "use one of the column names above",
            ),
        }
    })
}

/// Renames the role columns to the role names; Parquet columns that are not text (ids
/// written as numbers, amounts as floats) become text, except typed dates.
fn by_role(frame: DataFrame, roles: &ColumnRoles, name: &str) -> Result<DataFrame> {
    if frame.height() == 0 {
        return Err(Error::file(
            name,
            "the file has a header but no rows",
            "export the orders again, or leave this file out",
        ));
    }
    let mut columns = Vec::with_capacity(roles.assigned.len());
    for (role, column) in &roles.assigned {
        let source = frame.column(column).map_err(|e| {
            Error::file(
                name,
                format!("cannot find column {column:?}: {e}"),
                "check the header row",
            )
        })?;
        let keep_type = *role == Role::Date
            && matches!(source.dtype(), DataType::Date | DataType::Datetime(_, _));
        let typed = if keep_type || source.dtype() == &DataType::String {
            source.clone()
        } else {
            source.cast(&DataType::String).map_err(|e| {
                Error::file(
                    name,
                    format!(
                        "cannot read column {column:?} ({}) as text: {e}",
                        source.dtype()
                    ),
                    format!("map another column with --map {role}=COLUMN"),
                )
            })?
        };
        columns.push(typed.with_name(role.name().into()));
    }
    DataFrame::new(frame.height(), columns)
        .map_err(|e| Error::file(name, e.to_string(), "report this as a bug"))
}

/// Makes text of the bytes; returns the encoding's name for `inspect`.
fn decode(
    body: &[u8],
    bom: bool,
    encoding: Encoding,
    name: &str,
) -> Result<(Vec<u8>, &'static str)> {
    let utf8_label = if bom { "UTF-8 with BOM" } else { "UTF-8" };
    match (encoding, std::str::from_utf8(body)) {
        (Encoding::Windows1252, _) => Ok((windows_1252_to_utf8(body), "Windows-1252")),
        (_, Ok(_)) => Ok((body.to_vec(), utf8_label)),
        (Encoding::Auto, Err(_)) => Ok((windows_1252_to_utf8(body), "Windows-1252")),
        (Encoding::Utf8, Err(e)) => {
            let offset = e.valid_up_to();
            let line = body[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            Err(Error::input(
                Location {
                    file: name.to_string(),
                    line: Some(line),
                    ..Location::default()
                },
                format!("byte 0x{:02X} is not UTF-8", body[offset]),
                "pass --encoding windows-1252 (also right for Latin-1 files), or save the file as UTF-8",
            ))
        }
    }
}

/// The 32 characters where Windows-1252 differs from Latin-1 (0x80..=0x9F).
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn windows_1252_to_utf8(bytes: &[u8]) -> Vec<u8> {
    let text: String = bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect();
    text.into_bytes()
}

/// The delimiter among `,` `;` tab `|` that splits the header line most often
/// (outside quotes); `,` when none does.
pub fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in text {
        if !quoted && (b == b'\n' || b == b'\r') {
            break;
        }
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = candidates.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

fn csv_reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

fn read_header(text: &[u8], delimiter: u8, name: &str) -> Result<Vec<String>> {
    let mut record = csv::StringRecord::new();
    match csv_reader(text, delimiter).read_record(&mut record) {
        Ok(true) => Ok(record.iter().map(|f| f.trim().to_string()).collect()),
        Ok(false) => Err(Error::file(
            name,
            "the file is empty",
            "export the orders again",
        )),
        Err(e) => Err(Error::file(
            name,
            format!("cannot read the header row: {e}"),
            "the first line must name the columns",
        )),
    }
}

/// The 1-based line on which data record `row` (0-based, after the header) starts.
fn record_line(text: &[u8], delimiter: u8, row: usize) -> Option<u64> {
    let mut reader = csv_reader(text, delimiter);
    let mut record = csv::ByteRecord::new();
    let mut index = 0usize;
    while reader.read_byte_record(&mut record).ok()? {
        if index == row + 1 {
            return record.position().map(|p| p.line());
        }
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_delimiter_of_the_header_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\r\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a|b|c"), b'|');
        assert_eq!(sniff_delimiter(b"\"x;y\",b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn windows_1252_decodes_accents_and_the_euro() {
        let bytes = b"caf\xe9 \x80";
        assert_eq!(
            String::from_utf8(windows_1252_to_utf8(bytes)).unwrap(),
            "café €"
        );
    }

    #[test]
    fn record_lines_count_embedded_newlines() {
        let text = b"id,note\n1,plain\n2,\"two\nlines\"\n3,last\n";
        assert_eq!(record_line(text, b',', 0), Some(2));
        assert_eq!(record_line(text, b',', 1), Some(3));
        assert_eq!(record_line(text, b',', 2), Some(5));
        assert_eq!(record_line(text, b',', 3), None);
    }
}
