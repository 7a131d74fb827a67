//! The typst world a document is typeset in: one template as the main
//! file, the data as `/data.json`, an optional `/logo`, and the embedded
//! fonts. Nothing else exists in it: a template that asks for any other
//! file, a package or today's date gets an error. A contract's drawn
//! signatures are `/image0`, `/image1`, ...

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::DocError;

/// The documents there are a template for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    /// An invoice, a credit note or a receipt (the data says which).
    Invoice,
    /// A contract with its proposal, terms and (once signed) the
    /// certificate page of its signatures.
    Contract,
}

impl Template {
    fn source(self) -> &'static str {
        match self {
            Template::Invoice => include_str!("../templates/invoice.typ"),
            Template::Contract => include_str!("../templates/contract.typ"),
        }
    }
}

static FONT_FILES: [&[u8]; 6] = [
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../fonts/NanumGothic.ttf"),
    include_bytes!("../fonts/NanumGothicBold.ttf"),
    include_bytes!("../fonts/NotoSansDevanagari-Regular.ttf"),
    include_bytes!("../fonts/NotoSansDevanagari-Bold.ttf"),
];

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .filter_map(|data| Font::new(Bytes::new(*data), 0))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path)
        .ok()
        .map(|v| RootedPath::new(VirtualRoot::Project, v).intern())
}

pub(crate) struct DocWorld {
    main: Source,
    main_id: FileId,
    data: Bytes,
    logo: Option<Bytes>,
    images: Vec<Bytes>,
}

impl DocWorld {
    pub(crate) fn new(
        template: Template,
        data: Vec<u8>,
        logo: Option<Vec<u8>>,
        images: Vec<Vec<u8>>,
    ) -> Self {
        #[allow(clippy::expect_used)]
        let main_id = file_id("/main.typ").expect("a fixed, valid path");
        DocWorld {
            main: Source::new(main_id, template.source().to_string()),
            main_id,
            data: Bytes::new(data),
            logo: logo.map(Bytes::new),
            images: images.into_iter().map(Bytes::new).collect(),
        }
    }

    pub(crate) fn pdf(&self) -> Result<Vec<u8>, DocError> {
        let doc = typst::compile::<typst_layout::PagedDocument>(self)
            .output
            .map_err(|errs| DocError::Typeset(messages(&errs)));
        let pdf = doc.and_then(|doc| {
            typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
                .map_err(|errs| DocError::Typeset(messages(&errs)))
        });
        // typst memoises every step in a process-wide cache; without
        // eviction each document's entries stay, and a server making
        // thousands of PDFs grows without end. Entries unused for the last
        // few documents go (what every document shares, such as the fonts'
        // shaping, stays warm).
        comemo::evict(EVICT_AFTER);
        pdf
    }
}

/// Documents a memoised result may go unused before it is dropped.
const EVICT_AFTER: usize = 4;

fn messages(errs: &[typst::diag::SourceDiagnostic]) -> String {
    errs.iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main_id
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main_id {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.get().vpath().get_without_slash().to_string();
        match path.as_str() {
            "data.json" => Ok(self.data.clone()),
            "logo" => self.logo.clone().ok_or(FileError::AccessDenied),
            "main.typ" => Ok(Bytes::from_string(self.main.clone())),
            other => other
                .strip_prefix("image")
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| self.images.get(n).cloned())
                .ok_or(FileError::AccessDenied),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
