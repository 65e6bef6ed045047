//! `./dev bench`, documents: the upload pipeline (decode → orient → strip → resize to 2000 px → encode) on
//! the same 12-megapixel phone photos (4000×3000 JPEG with EXIF orientation 6 and GPS) next to `vipsthumbnail`
//! (libvips) and Pillow, one process per photo for each, measured alike by GNU time: median wall time per photo
//! and the highest peak memory (max RSS). Prints the ratios to libvips.
//!
//! Then the bytes a phone sends for the same photos after the page's own downscale (in Chromium).
//!
//! `cargo bench -p loket-tests --bench documents` runs it; the bench starts itself again with `--one FILE` to
//! put Loket's pipeline in a process of its own, as the other two are.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use server::documents::{fixtures, prepare, Limits, Prepared};
use std::path::{Path, PathBuf};
use std::process::Command;

const PHOTOS: usize = 8;

/// A photo-like 4000×3000 picture: soft gradients, fine noise (sensor grain) and sharp-edged "text" blocks,
/// so the JPEG decoder and encoder do the work a real photo of a document gives them.
fn photo(seed: u32) -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 17) as i32 - 8
    };
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let paper = 200 + ((x + y + seed * 97) % 40) as i32;
            let text = (x / 40 + y / 60 + seed).is_multiple_of(7) && (y % 60) < 36 && (x % 40) < 30;
            let base = if text { 40 } else { paper };
            let n = noise();
            let value = |shift: i32| (base + shift + n).clamp(0, 255) as u8;
            pixels.extend_from_slice(&[value(0), value(-6), value(-14)]);
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode(&pixels, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    fixtures::as_from_a_phone(&jpeg)
}

/// Runs `command` under GNU time; (wall seconds, max RSS in kB).
fn timed(command: &[&std::ffi::OsStr]) -> (f64, u64) {
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("LOKET-TIME %e %M")
        .args(command)
        .output()
        .unwrap_or_else(|e| panic!("/usr/bin/time: {e} (./dev bench installs the package time)"));
    assert!(
        output.status.success(),
        "{:?} failed: {}",
        command,
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("LOKET-TIME "))
        .unwrap_or_else(|| panic!("no timing in {stderr}"));
    let mut parts = line.split_whitespace();
    let seconds: f64 = parts.next().unwrap().parse().unwrap();
    let kb: u64 = parts.next().unwrap().parse().unwrap();
    (seconds, kb)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// (median ms per photo, peak RSS MB) of one tool over every photo.
fn measure(files: &[PathBuf], command: impl Fn(&Path) -> Vec<std::ffi::OsString>) -> (f64, f64) {
    let mut times = Vec::new();
    let mut peak = 0;
    for file in files {
        let args = command(file);
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let (seconds, kb) = timed(&refs);
        times.push(seconds * 1000.0);
        peak = peak.max(kb);
    }
    (median(times), peak as f64 / 1024.0)
}

fn found(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .is_ok_and(|o| o.status.success())
}

const PILLOW: &str = r#"
import sys
from PIL import Image, ImageOps
image = ImageOps.exif_transpose(Image.open(sys.argv[1]))
image.thumbnail((2000, 2000), Image.Resampling.LANCZOS)
image.convert("RGB").save(sys.argv[2], "JPEG", quality=85)
"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--one") {
        // The child: one photo through Loket's pipeline, as an upload does it.
        let bytes = std::fs::read(&args[at + 1]).unwrap();
        match prepare(&bytes, &Limits::default()).unwrap() {
            Prepared::Photo(photo) => assert_eq!(photo.width.max(photo.height), 2000),
            Prepared::Pdf { .. } => panic!("a photo came out as a PDF"),
        }
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut bytes = 0;
    for i in 0..PHOTOS {
        let path = dir.path().join(format!("IMG_{i:04}.jpg"));
        let jpeg = photo(i as u32 + 1);
        bytes += jpeg.len();
        std::fs::write(&path, jpeg).unwrap();
        files.push(path);
    }
    println!(
        "{PHOTOS} photos of 4000×3000 (12 MP), EXIF orientation 6 with GPS, {:.1} MB each on average",
        bytes as f64 / PHOTOS as f64 / 1e6
    );
    let me = std::env::current_exe().unwrap();
    let out = dir.path().join("out.jpg");
    let loket = measure(&files, |file| {
        vec![me.clone().into(), "--one".into(), file.into()]
    });
    println!(
        "Loket pipeline   median {:7.1} ms per photo   peak RSS {:6.1} MB",
        loket.0, loket.1
    );
    let vips = found("vipsthumbnail").then(|| {
        measure(&files, |file| {
            vec![
                "vipsthumbnail".into(),
                file.into(),
                "--size".into(),
                "2000x2000".into(),
                "-o".into(),
                format!("{}[Q=85,strip]", out.display()).into(),
            ]
        })
    });
    match vips {
        Some((ms, mb)) => println!(
            "vipsthumbnail    median {ms:7.1} ms per photo   peak RSS {mb:6.1} MB   Loket/libvips: time {:.2}×, memory {:.2}×",
            loket.0 / ms,
            loket.1 / mb
        ),
        None => println!("vipsthumbnail    not installed (Debian: libvips-tools)"),
    }
    let pillow_ok = Command::new("/usr/bin/python3")
        .args(["-c", "import PIL"])
        .output()
        .is_ok_and(|o| o.status.success());
    if pillow_ok {
        let (ms, mb) = measure(&files, |file| {
            vec![
                "/usr/bin/python3".into(),
                "-c".into(),
                PILLOW.into(),
                file.into(),
                out.clone().into(),
            ]
        });
        println!(
            "Pillow           median {ms:7.1} ms per photo   peak RSS {mb:6.1} MB   Loket/Pillow: time {:.2}×",
            loket.0 / ms
        );
        if let Some((vips_ms, _)) = vips {
            println!("Pillow/libvips: time {:.2}×", ms / vips_ms);
        }
    } else {
        println!("Pillow           not installed (Debian: python3-pil)");
    }
    println!("(wall time per process includes its start: about 1 ms for Loket and libvips, 50-100 ms for Python)");
    in_the_browser(&files);
}

/// The bytes a phone sends for these photos after the page has shrunk them (Chromium, through Playwright).
fn in_the_browser(files: &[PathBuf]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let script = root.join("end2end/bench/downscale.mjs");
    if !found("node") || !Path::new("/usr/bin/chromium").exists() {
        println!(
            "in-browser downscale: not measured (needs node and /usr/bin/chromium: ./dev setup)"
        );
        return;
    }
    let status = Command::new("node")
        .arg(&script)
        .args(files)
        .current_dir(&root)
        .status()
        .unwrap();
    assert!(status.success(), "{} failed", script.display());
}
