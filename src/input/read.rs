//! From the names on the command line to opened inputs: files, globs and `-` (stdin);
//! CSV (delimiter sniffed from the header), gzip-compressed CSV, and Parquet, told
//! apart by their first bytes. Only the header is read here; the rows stream later.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use super::columns::{self, ColumnRoles, Role, RoleError};
use super::csv_scan::{split_fields, Blocks, Records, BLOCK_BYTES};
use super::platforms::{AmountRule, CustomerRule, Platform, PlatformChoice, StatusFlag};
use super::schema::Encoding;
pub use super::schema::{decode_text, windows_1252_to_utf8};
use crate::error::{Error, Result};

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
    /// Read the product and category columns: set by `load_with_products`.
    pub products: bool,
    /// With `products`, leave the category column unread where a file can (Parquet).
    pub skip_categories: bool,
    /// Bytes of CSV read at a time; 0 means `BLOCK_BYTES`. Tests make it small.
    pub block_bytes: usize,
    /// `--platform`: recognise the export's platform, force one, or none.
    pub platform: PlatformChoice,
    /// `--by COLUMN`: read COLUMN as the category of each line (it keeps any role it
    /// has besides), so customers can be grouped by its value.
    pub group: Option<String>,
}

/// How a platform's rows are read beyond the columns of their roles (platforms §2):
/// where its customer, amount and status rules find their other columns.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowRules {
    pub platform: Option<&'static Platform>,
    /// The customer where the customer column is empty (or `0` with `zero_is_guest`).
    pub customer_else: Option<usize>,
    pub zero_is_guest: bool,
    /// The customer is the username in the cell's trailing parentheses.
    pub username: bool,
    /// Added to (`adjust_sign` 1) or taken from (-1) the amount; empty counts 0.
    pub adjust: Option<usize>,
    pub adjust_sign: i8,
    /// An empty amount is 0 (order fields on the first line only), not unknown.
    pub empty_is_zero: bool,
    /// A column that marks an order as not bought.
    pub flag: Option<(usize, StatusFlag)>,
}

impl RowRules {
    /// The rules of `platform` for this header; a role mapped with `--map` is read as
    /// in §1 (its column as it is).
    fn of(
        platform: Option<&'static Platform>,
        header: &[String],
        map: &[(Role, String)],
    ) -> RowRules {
        let Some(p) = platform.filter(|p| !p.general && p.refused.is_none()) else {
            return RowRules {
                platform,
                ..RowRules::default()
            };
        };
        let mapped = |role: Role| map.iter().any(|(r, _)| *r == role);
        let mut rules = RowRules {
            platform,
            ..RowRules::default()
        };
        if !mapped(Role::Customer) {
            match p.customer {
                CustomerRule::Column => {}
                CustomerRule::Else {
                    column,
                    zero_is_guest,
                } => {
                    rules.customer_else = Platform::column_in(header, column);
                    rules.zero_is_guest = zero_is_guest;
                }
                CustomerRule::Username => rules.username = true,
            }
        }
        if let (
            false,
            AmountRule::Adjusted {
                column,
                sign,
                empty_is_zero,
            },
        ) = (mapped(Role::Amount), p.amount)
        {
            rules.adjust = Platform::column_in(header, column);
            rules.adjust_sign = sign;
            rules.empty_is_zero = empty_is_zero;
        }
        if !mapped(Role::Status) {
            rules.flag = p
                .flag
                .and_then(|f| Platform::column_in(header, f.column).map(|i| (i, f)));
        }
        rules
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

/// The first bytes of a source, with the reader of the rest.
struct Head {
    bytes: Vec<u8>,
    rest: Box<dyn Read + Send>,
}

const HEAD_BYTES: usize = 1 << 16;
const HEADER_LIMIT: usize = 1 << 20;

fn open_stream(source: &Source, name: &str) -> Result<Box<dyn Read + Send>> {
    match source {
        Source::Stdin => Ok(Box::new(std::io::stdin())),
        Source::Path(path) => std::fs::File::open(path)
            .map(|f| Box::new(f) as Box<dyn Read + Send>)
            .map_err(|e| {
                Error::file(
                    name,
                    format!("cannot read the file: {e}"),
                    "check that it exists and that you may read it",
                )
            }),
    }
}

/// Reads until `head` holds at least `want` bytes or the stream ends.
fn fill(head: &mut Head, want: usize, name: &str) -> Result<()> {
    while head.bytes.len() < want {
        let room = (want - head.bytes.len()) as u64;
        let read = head
            .rest
            .by_ref()
            .take(room)
            .read_to_end(&mut head.bytes)
            .map_err(|e| {
                Error::file(
                    name,
                    format!("cannot read the file: {e}"),
                    "the file may be truncated or not what its name says; export it again",
                )
            })?;
        if read == 0 {
            break;
        }
    }
    Ok(())
}

/// One input, opened: its header and roles, and the stream of its rows.
pub struct Opened {
    pub name: String,
    /// Size in bytes of an uncompressed file, to size the tables up front.
    pub size: Option<u64>,
    pub format: FileFormat,
    pub bom: bool,
    pub delimiter: Option<u8>,
    /// Column names as written (decoded for display).
    pub header: Vec<String>,
    pub roles: ColumnRoles,
    /// Index of each assigned role's column in the header.
    pub positions: Vec<(Role, usize)>,
    /// The platform recognised (or forced), and how its rows are read.
    pub rules: RowRules,
    pub body: Body,
}

pub enum Body {
    Csv(Blocks<Box<dyn Read + Send>>),
    Parquet(ParquetBody),
}

/// A Parquet file's rows, read a slice at a time: only the role columns, and only
/// the row groups of the slice, so what is held at once is a slice, not the file.
pub struct ParquetBody {
    name: String,
    bytes: ParquetBytes,
    /// The columns read, by their names in the file.
    columns: Vec<String>,
    roles: ColumnRoles,
    pub rows: usize,
}

enum ParquetBytes {
    File(PathBuf),
    /// Standard input, read whole.
    Memory(Vec<u8>),
}

impl ParquetBody {
    /// Rows `offset..offset + len`, the role columns renamed to the role names; text,
    /// except typed dates and numeric amounts, quantities and prices (see `by_role`).
    pub fn slice(&self, offset: usize, len: usize) -> Result<DataFrame> {
        let name = &self.name;
        let unreadable = |e: PolarsError| {
            Error::file(
                name,
                format!("cannot read this Parquet file: {e}"),
                "the file may be truncated; export it again",
            )
        };
        // Quantity and unit price make a line's amount only where the amount is
        // missing: they are read for the slices that have such a line.
        let column_of = |wanted: Role| {
            self.roles
                .assigned
                .iter()
                .find(|(role, _)| *role == wanted)
                .map(|(_, column)| column.clone())
        };
        let amount = column_of(Role::Amount);
        let fallback: Vec<String> = [Role::Quantity, Role::UnitPrice]
            .into_iter()
            .filter_map(column_of)
            .filter(|c| Some(c) != amount.as_ref() && self.columns.contains(c))
            .collect();
        let first: Vec<String> = match &amount {
            Some(_) => self
                .columns
                .iter()
                .filter(|c| !fallback.contains(c))
                .cloned()
                .collect(),
            None => self.columns.clone(),
        };
        let mut frame = self.read(first, offset, len).map_err(unreadable)?;
        let needed = amount.as_ref().is_some_and(|a| {
            frame
                .column(a)
                .is_ok_and(|c| c.null_count() > 0 || !c.dtype().is_primitive_numeric())
        });
        if needed && !fallback.is_empty() {
            let rest = self.read(fallback, offset, len).map_err(unreadable)?;
            frame
                .hstack_mut(rest.columns())
                .map_err(|e| Error::file(name, e.to_string(), "report this as a bug"))?;
        }
        by_role(frame, &self.roles, name)
    }

    /// Rows `offset..offset + len` of `columns`.
    fn read(&self, columns: Vec<String>, offset: usize, len: usize) -> PolarsResult<DataFrame> {
        let (columns, slice) = (Some(columns), Some((offset, len)));
        match &self.bytes {
            ParquetBytes::File(path) => {
                let file = std::fs::File::open(path)?;
                let reader = ParquetReader::new(file);
                guarded(|| reader.with_columns(columns).with_slice(slice).finish())
            }
            ParquetBytes::Memory(bytes) => {
                let reader = ParquetReader::new(Cursor::new(&bytes[..]));
                guarded(|| reader.with_columns(columns).with_slice(slice).finish())
            }
        }
    }
}

/// Opens one input: format, encoding mark, delimiter, header and roles.
pub fn open(source: &Source, options: &ReadOptions) -> Result<Opened> {
    let name = source.display();
    let mut head = Head {
        bytes: Vec::new(),
        rest: open_stream(source, &name)?,
    };
    fill(&mut head, HEAD_BYTES, &name)?;
    let mut format = FileFormat::Csv;
    if head.bytes.starts_with(&[0x1f, 0x8b]) {
        let compressed = std::mem::take(&mut head.bytes);
        let stream = Cursor::new(compressed).chain(std::mem::replace(
            &mut head.rest,
            Box::new(std::io::empty()),
        ));
        head.rest = Box::new(flate2::read::MultiGzDecoder::new(stream));
        format = FileFormat::CsvGzip;
        fill(&mut head, HEAD_BYTES, &name).map_err(|_| {
            Error::file(
                &name,
                "cannot decompress this gzip file",
                "the file may be truncated; export or download it again",
            )
        })?;
    }
    if head.bytes.starts_with(b"PAR1") {
        return open_parquet(source, name, head, options);
    }
    let size = match (source, format) {
        (Source::Path(path), FileFormat::Csv) => std::fs::metadata(path).ok().map(|m| m.len()),
        _ => None,
    };
    open_csv(name, format, size, head, options)
}

fn open_csv(
    name: String,
    format: FileFormat,
    size: Option<u64>,
    mut head: Head,
    options: &ReadOptions,
) -> Result<Opened> {
    let bom = head.bytes.starts_with(b"\xEF\xBB\xBF");
    if bom {
        head.bytes.drain(..3);
    }
    if head.bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::file(
            &name,
            "the file is empty",
            "export the orders again; rebuy needs a header row and at least one order line",
        ));
    }
    if head.bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(Error::file(
            &name,
            "this looks like a binary file, not CSV text",
            "rebuy reads CSV (optionally .csv.gz) and Parquet order exports",
        ));
    }
    // The delimiter is sniffed from the first line; the header is the first record.
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&head.bytes));
    // Read on until the header record is whole and a byte follows its line end (a CR
    // may be the first half of a CRLF).
    loop {
        let complete = Records::new(&head.bytes, 1, delimiter)
            .next()
            .is_some_and(|r| {
                r.unclosed.is_none() && r.offset + r.text.len() + 1 < head.bytes.len()
            });
        let before = head.bytes.len();
        if complete || before >= HEADER_LIMIT {
            break;
        }
        fill(&mut head, before * 2, &name)?;
        if head.bytes.len() == before {
            break;
        }
    }
    let Some(record) = Records::new(&head.bytes, 1, delimiter).next() else {
        return Err(Error::file(
            &name,
            "the file is empty",
            "export the orders again",
        ));
    };
    if record.unclosed.is_some() {
        return Err(Error::file(
            &name,
            "a quoted column name in the header opens with \" and is never closed",
            "fix the header row: a name that starts with \" must end with one",
        ));
    }
    let (mut spans, mut scratch) = (Vec::new(), Vec::new());
    split_fields(&record, delimiter, &mut spans, &mut scratch);
    let header: Vec<String> = spans
        .iter()
        .map(|s| {
            decode_text(s.get(&head.bytes, &scratch), options.encoding)
                .trim()
                .to_string()
        })
        .collect();
    let (platform, roles) = platform_roles(&name, &header, options)?;
    let rules = RowRules::of(platform, &header, &options.map);
    let positions = roles
        .assigned
        .iter()
        .map(|(role, column)| (*role, header.iter().position(|h| h == column).unwrap_or(0)))
        .collect();
    // The data starts on the line after the header record.
    let mut lines = Records::new(&head.bytes, 1, delimiter);
    lines.next();
    let (data_start, first_line) = lines.position();
    let rest = head.bytes.split_off(data_start.min(head.bytes.len()));
    Ok(Opened {
        name,
        size,
        format,
        bom,
        delimiter: Some(delimiter),
        header,
        roles,
        positions,
        rules,
        body: Body::Csv(Blocks::new(
            head.rest,
            rest,
            first_line,
            if options.block_bytes == 0 {
                BLOCK_BYTES
            } else {
                options.block_bytes
            },
            delimiter,
        )),
    })
}

fn open_parquet(
    source: &Source,
    name: String,
    mut head: Head,
    options: &ReadOptions,
) -> Result<Opened> {
    let (bytes, (header, roles, columns, rows)) = match source {
        Source::Path(path) => {
            let file = std::fs::File::open(path).map_err(|e| {
                Error::file(
                    &name,
                    format!("cannot read the file: {e}"),
                    "check that you may read it",
                )
            })?;
            let schema = parquet_schema(ParquetReader::new(file), &name, options)?;
            (ParquetBytes::File(path.clone()), schema)
        }
        Source::Stdin => {
            fill(&mut head, usize::MAX, &name)?;
            let schema = parquet_schema(
                ParquetReader::new(Cursor::new(&head.bytes[..])),
                &name,
                options,
            )?;
            (ParquetBytes::Memory(head.bytes), schema)
        }
    };
    Ok(Opened {
        name: name.clone(),
        size: None,
        format: FileFormat::Parquet,
        bom: false,
        delimiter: None,
        header,
        positions: Vec::new(),
        roles: roles.clone(),
        rules: RowRules::default(),
        body: Body::Parquet(ParquetBody {
            name,
            bytes,
            columns,
            roles,
            rows,
        }),
    })
}

/// The header, the roles, the columns to read, and the rows of a Parquet file.
fn parquet_schema<R: polars::io::mmap::MmapBytesReader>(
    mut reader: ParquetReader<R>,
    name: &str,
    options: &ReadOptions,
) -> Result<(Vec<String>, ColumnRoles, Vec<String>, usize)> {
    let unreadable = |e: PolarsError| {
        Error::file(
            name,
            format!("cannot read this Parquet file: {e}"),
            "the file may be truncated; export it again",
        )
    };
    let header: Vec<String> = guarded(|| reader.schema())
        .map_err(unreadable)?
        .iter_names()
        .map(|n| n.to_string())
        .collect();
    let roles = detect_roles(name, &header, options)?;
    let mut wanted: Vec<String> = Vec::new();
    for (role, column) in &roles.assigned {
        let read = (options.products || !role.describes_products())
            && !(options.skip_categories && *role == Role::Category);
        // A column of two roles (`--by` a column that has a role) is read once.
        if read && !wanted.contains(column) {
            wanted.push(column.clone());
        }
    }
    let rows = guarded(|| reader.num_rows()).map_err(unreadable)?;
    Ok((header, roles, wanted, rows))
}

/// A polars read of a file that may be damaged: polars panics on some damaged Parquet
/// files (a column chunk that runs past the end of a truncated file), and such a panic
/// becomes the file's error rather than a crash.
fn guarded<T>(read: impl FnOnce() -> PolarsResult<T>) -> PolarsResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|panic| {
        let why = crate::error::panic_message(&*panic);
        Err(PolarsError::ComputeError(
            format!("the file is damaged (reading it stopped at: {why})").into(),
        ))
    })
}

fn detect_roles(name: &str, header: &[String], options: &ReadOptions) -> Result<ColumnRoles> {
    let roles = columns::detect(header, &options.map).map_err(|e| role_error(name, header, e))?;
    grouped(name, header, roles, options)
}

/// With `--by COLUMN`, the roles with COLUMN as the category.
fn grouped(
    name: &str,
    header: &[String],
    mut roles: ColumnRoles,
    options: &ReadOptions,
) -> Result<ColumnRoles> {
    let Some(wanted) = &options.group else {
        return Ok(roles);
    };
    let Some(column) = columns::find(header, wanted) else {
        return Err(Error::file(
            name,
            format!("--by {wanted}: the file has no column {wanted:?}"),
            format!(
                "group by one of its columns: {}",
                header
                    .iter()
                    .map(|h| format!("{h:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    roles.assigned.retain(|(role, _)| *role != Role::Category);
    roles
        .assigned
        .push((Role::Category, header[column].clone()));
    roles.assigned.sort_by_key(|(role, _)| *role);
    Ok(roles)
}

/// The platform of a CSV header (platforms §2), and the roles of its columns: the
/// platform's, or found by name (§1) for the general rules. A file the contract refuses
/// (§3) is an error unless `--map customer=COLUMN` names its customer.
fn platform_roles(
    name: &str,
    header: &[String],
    options: &ReadOptions,
) -> Result<(Option<&'static Platform>, ColumnRoles)> {
    let platform = match options.platform {
        PlatformChoice::Recognise => Platform::recognise(header),
        PlatformChoice::Forced(p) => Some(p),
        PlatformChoice::None => None,
    };
    let Some(p) = platform else {
        return Ok((None, detect_roles(name, header, options)?));
    };
    let customer_mapped = options.map.iter().any(|(r, _)| *r == Role::Customer);
    let refuse = |why: &str| {
        Error::file(
            name,
            format!(
                "recognised as a {} export (its header has {}): {why}",
                p.name,
                p.matched_signature(header).join(", ")
            ),
            "if a column does identify each customer, name it with --map customer=COLUMN",
        )
    };
    if let Some(why) = p.refused {
        if !customer_mapped {
            return Err(refuse(why));
        }
        return Ok((Some(p), detect_roles(name, header, options)?));
    }
    if p.general {
        return Ok((Some(p), detect_roles(name, header, options)?));
    }
    let fixed = p.roles_in(header);
    if let (Some(why), false) = (p.needs_customer, customer_mapped) {
        if !fixed.iter().any(|(r, _)| *r == Role::Customer) {
            return Err(refuse(why));
        }
    }
    let roles =
        columns::fixed(header, fixed, &options.map).map_err(|e| role_error(name, header, e))?;
    Ok((Some(p), grouped(name, header, roles, options)?))
}

fn role_error(name: &str, header: &[String], e: RoleError) -> Error {
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
}

/// Renames the role columns to the role names. Typed dates and numeric amounts,
/// quantities and prices keep their type; other columns (ids written as numbers)
/// become text.
fn by_role(frame: DataFrame, roles: &ColumnRoles, name: &str) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(roles.assigned.len());
    for (role, column) in &roles.assigned {
        if !frame.schema().contains(column) {
            continue; // Not read: products were not asked for.
        }
        let source = frame.column(column).map_err(|e| {
            Error::file(
                name,
                format!("cannot find column {column:?}: {e}"),
                "check the header row",
            )
        })?;
        let keep_type = match role {
            Role::Date => matches!(source.dtype(), DataType::Date | DataType::Datetime(_, _)),
            Role::Amount | Role::Quantity | Role::UnitPrice => {
                source.dtype().is_primitive_numeric()
            }
            _ => false,
        };
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
        assert_eq!(windows_1252_to_utf8(bytes), "café €");
        assert_eq!(decode_text("café".as_bytes(), Encoding::Auto), "café");
        assert_eq!(decode_text(b"caf\xe9", Encoding::Auto), "café");
        assert_eq!(decode_text("é".as_bytes(), Encoding::Windows1252), "Ã©");
    }
}
