//! Window benchmark on the full-scale sample (issue 4, item 10): the CPU
//! time per frame of the review queue with at least 20,000 pending names,
//! and the time from launch to the first frame.
//!
//! The workspace is the full-scale sample imported and matched with the
//! thresholds that send every name the cascade does not settle to review
//! (`matching.auto_threshold` 1.01, `matching.review_threshold` 0); when
//! that leaves fewer than 20,000 pending names, names settled by the exact
//! or structural rules (which ignore thresholds) are turned pending, with
//! their real candidates, until the queue holds them all. It is built once
//! under `target/bench-data/` and reused.
//!
//! The real app ([`WorkbenchApp`], opened with the constructor that takes a
//! workspace path, so the user's data directory is never touched) is driven
//! headless twice: by egui_kittest's `Harness` (which also builds the
//! AccessKit tree every frame, as a screen reader would make the real
//! window do), and by a bare `egui::Context` running the app's `ui` then
//! tessellating its shapes — what the real window's CPU does per frame,
//! short of uploading the meshes to the GPU. Frames: idle, scrolling the
//! queue with the mouse wheel, and moving the selection with ↓ (each move
//! reads the new name's candidates and history from SQLite). The CPU time
//! per frame is the UI thread's time on CPU (`/proc/thread-self/schedstat`)
//! over all the frames of a scenario, divided by their number; single
//! frames are timed by the wall clock (mean, median, p95, max), which on a
//! busy machine also counts the time the thread waited for a core.
//!
//! Last, the Indicateurs view on the full-scale workspace matched with the
//! calibrated thresholds: the time to open it (the indicator index read on
//! its worker) and, for the 20 substances with most cases, the wall time
//! from the pick to the end of the frame that draws the new charts.
//!
//! Run: `cargo bench --bench frame` (`BENCH_CASES=N` for another size).

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use datamed::jobs::Progress;
use datamed::matching::decide::{SETTING_AUTO, SETTING_REVIEW};
use datamed::store::Store;
use datamed::ui::WorkbenchApp;
use datamed::ui::command::Command;
use datamed::ui::state::View;
use eframe::App as _;
use eframe::egui::{self, Event, Key, Modifiers, MouseWheelUnit, Pos2, RawInput, Rect, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The pending names the queue must hold.
const PENDING_TARGET: i64 = 20_000;
/// The window size (the app's default).
const SIZE: [f32; 2] = [1400.0, 900.0];
/// Frames measured per scenario.
const FRAMES: usize = 300;
/// A point over the queue (the left panel), for the wheel.
const OVER_QUEUE: Pos2 = Pos2::new(200.0, 600.0);
/// Who decides (nothing is decided here).
const REVIEWER: &str = "bench";

fn main() {
    let workspace = prepared_workspace();
    let pending = count_pending(&workspace);
    println!(
        "workspace {}: {pending} names in the review queue",
        workspace.display()
    );
    if pending < PENDING_TARGET {
        println!("(fewer than {PENDING_TARGET}: measured with what there is)");
    }
    println!(
        "machine: {} cores, load average {}",
        cores(),
        load_average()
    );

    launch(&workspace);
    harness_frames(&workspace);
    bare_frames(&workspace);
    detail_reads(&workspace);
    indicator_refresh();
    println!("load average after: {}", load_average());
}

// ----- the workspace -----

/// The full-scale workspace, imported and matched once.
fn prepared_workspace() -> PathBuf {
    let sample = common::full_scale_sample();
    let dir = sample.join("bench");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        fail(&format!("{}: {e}", dir.display()));
    }
    let workspace = dir.join("frame.sqlite");
    let ready = dir.join("frame.ready");
    if ready.exists() && workspace.exists() {
        return workspace;
    }
    let _ = std::fs::remove_file(&ready);
    let (secs, rows) = common::import_fresh(&workspace, std::slice::from_ref(&sample));
    println!("import of the whole sample: {rows} rows in {secs:.1} s");
    let mut store = Store::open(&workspace).unwrap_or_else(|e| fail(&e.to_string()));
    for (key, value) in [(SETTING_AUTO, "1.01"), (SETTING_REVIEW, "0")] {
        if let Err(e) = store.set_setting(key, value) {
            fail(&e.to_string());
        }
    }
    let started = Instant::now();
    let summary = datamed::matching::engine::match_workspace(&mut store, &Progress::new())
        .unwrap_or_else(|e| fail(&e.to_string()));
    drop(store);
    println!(
        "matching: {} names in {:.1} s",
        summary.names,
        started.elapsed().as_secs_f64()
    );
    let pending = count_pending(&workspace);
    println!("pending after matching with thresholds 1.01 / 0: {pending}");
    if pending < PENDING_TARGET {
        let turned = sql(
            &workspace,
            "UPDATE match_result SET status = 'pending' WHERE status = 'auto'",
        );
        println!(
            "{turned} names settled by the exact or structural rules (which ignore \
             thresholds) turned pending, with their candidates"
        );
    }
    if let Err(e) = std::fs::write(&ready, "") {
        fail(&format!("{}: {e}", ready.display()));
    }
    workspace
}

/// Pending names without a decision: what the default queue shows.
fn count_pending(workspace: &Path) -> i64 {
    let conn = rusqlite::Connection::open(workspace).unwrap_or_else(|e| fail(&e.to_string()));
    conn.query_row(
        "SELECT count(*) FROM match_result WHERE status = 'pending'",
        [],
        |r| r.get(0),
    )
    .unwrap_or_else(|e| fail(&e.to_string()))
}

/// Runs one statement on the workspace; returns the rows changed.
fn sql(workspace: &Path, statement: &str) -> usize {
    let conn = rusqlite::Connection::open(workspace).unwrap_or_else(|e| fail(&e.to_string()));
    conn.execute(statement, [])
        .unwrap_or_else(|e| fail(&e.to_string()))
}

// ----- launch -----

/// Construction on the workspace (opening it, reading every name, loading
/// the referential) and the first frame, three times.
fn launch(workspace: &Path) {
    for run in 1..=3 {
        let started = Instant::now();
        let cpu = thread_cpu_ns();
        let path = workspace.to_path_buf();
        let mut opened = 0.0;
        let mut h = Harness::builder()
            .with_size(vec2(SIZE[0], SIZE[1]))
            .build_eframe(|cc| {
                let app = WorkbenchApp::with_workspace(&cc.egui_ctx, &path, REVIEWER)
                    .unwrap_or_else(|e| fail(&e.to_string()));
                opened = started.elapsed().as_secs_f64();
                app
            });
        let first = started.elapsed().as_secs_f64();
        let cpu_ms = cpu_ms_since(cpu);
        h.step();
        let queue = h.state().queue().len();
        println!(
            "launch {run}: workspace opened in {:.0} ms, first frame drawn at {:.0} ms \
             (main thread CPU {cpu_ms:.0} ms); queue of {queue} names",
            opened * 1e3,
            first * 1e3
        );
    }
}

// ----- frames -----

/// Frame times measured through egui_kittest's harness.
fn harness_frames(workspace: &Path) {
    let path = workspace.to_path_buf();
    let mut h = Harness::builder()
        .with_size(vec2(SIZE[0], SIZE[1]))
        .build_eframe(|cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &path, REVIEWER)
                .unwrap_or_else(|e| fail(&e.to_string()))
        });
    for _ in 0..5 {
        h.step();
    }
    let timed = |h: &mut Harness<'_, WorkbenchApp>, events: Vec<Event>| {
        for e in events {
            h.event(e);
        }
        let (wall, cpu) = (Instant::now(), thread_cpu_ns());
        h.step();
        (wall.elapsed().as_secs_f64() * 1e3, cpu_ms_since(cpu))
    };
    let idle: Vec<_> = (0..FRAMES).map(|_| timed(&mut h, Vec::new())).collect();
    report("kittest harness, idle", &idle);
    timed(&mut h, vec![Event::PointerMoved(OVER_QUEUE)]);
    let second = h.state().queue().get(1).map(|i| i.name.name.clone());
    let shown = |h: &Harness<'_, WorkbenchApp>| {
        second
            .as_deref()
            .is_some_and(|n| h.query_by_label(n).is_some())
    };
    let shown_before = shown(&h);
    let scroll: Vec<_> = (0..FRAMES)
        .map(|_| timed(&mut h, vec![wheel(-120.0)]))
        .collect();
    report("kittest harness, wheel scrolling the queue", &scroll);
    if !shown_before || shown(&h) {
        println!("warning: the queue did not scroll (its second row is still shown)");
    }
    let before = h.state().selected().map(|i| i.name.id);
    let mut moves = Vec::new();
    for _ in 0..FRAMES {
        moves.push(timed(&mut h, vec![key(Key::ArrowDown, true)]));
        timed(&mut h, vec![key(Key::ArrowDown, false)]);
    }
    report("kittest harness, ↓ (selection moves, detail read)", &moves);
    let moved = h.state().selected().map(|i| i.name.id) != before;
    if !moved {
        println!("warning: the selection did not move");
    }
}

/// Frame times of the app run on a bare context, with tessellation.
fn bare_frames(workspace: &Path) {
    let ctx = egui::Context::default();
    let mut app = WorkbenchApp::with_workspace(&ctx, workspace, REVIEWER)
        .unwrap_or_else(|e| fail(&e.to_string()));
    let mut frame = eframe::Frame::_new_kittest();
    let screen = Rect::from_min_size(Pos2::ZERO, vec2(SIZE[0], SIZE[1]));
    let mut clock = 0.0;
    let mut run = |app: &mut WorkbenchApp, events: Vec<Event>| {
        clock += 1.0 / 60.0;
        let input = RawInput {
            screen_rect: Some(screen),
            time: Some(clock),
            predicted_dt: 1.0 / 60.0,
            events,
            ..RawInput::default()
        };
        let (wall, cpu) = (Instant::now(), thread_cpu_ns());
        let mut output = ctx.run_ui(input, |ui| app.ui(ui, &mut frame));
        output.textures_delta.clear();
        let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
        std::hint::black_box(meshes);
        (wall.elapsed().as_secs_f64() * 1e3, cpu_ms_since(cpu))
    };
    for _ in 0..5 {
        run(&mut app, Vec::new());
    }
    let idle: Vec<_> = (0..FRAMES).map(|_| run(&mut app, Vec::new())).collect();
    report("bare context + tessellation, idle", &idle);
    run(&mut app, vec![Event::PointerMoved(OVER_QUEUE)]);
    let scroll: Vec<_> = (0..FRAMES)
        .map(|_| run(&mut app, vec![wheel(-120.0)]))
        .collect();
    report(
        "bare context + tessellation, wheel scrolling the queue",
        &scroll,
    );
    let mut moves = Vec::new();
    for _ in 0..FRAMES {
        moves.push(run(&mut app, vec![key(Key::ArrowDown, true)]));
        run(&mut app, vec![key(Key::ArrowDown, false)]);
    }
    report(
        "bare context + tessellation, ↓ (selection moves, detail read)",
        &moves,
    );
}

/// What a selection move reads outside drawing: the name's candidates and
/// history from SQLite, and the character diff of each candidate.
fn detail_reads(workspace: &Path) {
    let store = Store::open(workspace).unwrap_or_else(|e| fail(&e.to_string()));
    let conn = rusqlite::Connection::open(workspace).unwrap_or_else(|e| fail(&e.to_string()));
    let names: Vec<(i64, String)> = conn
        .prepare(
            "SELECT m.name_id, d.normalized FROM match_result m \
             JOIN drug_name d ON d.id = m.name_id WHERE m.status = 'pending' LIMIT ?1",
        )
        .and_then(|mut stmt| {
            stmt.query_map([FRAMES as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .unwrap_or_else(|e| fail(&e.to_string()));
    let (mut read, mut diff) = (0.0, 0.0);
    for (id, typed) in &names {
        let id = *id;
        let started = Instant::now();
        let candidates = store
            .candidates_of(id)
            .unwrap_or_else(|e| fail(&e.to_string()));
        let history = datamed::review::history(&store, id).unwrap_or_else(|e| fail(&e.to_string()));
        read += started.elapsed().as_secs_f64();
        let started = Instant::now();
        std::hint::black_box(history);
        for c in &candidates {
            std::hint::black_box(datamed::ui::diff::align(
                typed,
                &datamed::normalize::normalize_name(&c.target_name),
            ));
        }
        diff += started.elapsed().as_secs_f64();
    }
    let n = names.len().max(1) as f64;
    println!(
        "detail of a selected name, outside drawing: SQLite reads {:.2} ms, diffs {:.2} ms \
         (mean over {} names)",
        read * 1e3 / n,
        diff * 1e3 / n,
        names.len()
    );
}

fn wheel(dy: f32) -> Event {
    Event::MouseWheel {
        unit: MouseWheelUnit::Point,
        delta: vec2(0.0, dy),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    }
}

fn key(key: Key, pressed: bool) -> Event {
    Event::Key {
        key,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers: Modifiers::NONE,
    }
}

/// Opens the Indicateurs view, then picks the 20 largest substances, each
/// twice, timing the pick to the frame that shows its charts.
fn indicator_refresh() {
    let path = common::matched_workspace();
    let mut h = Harness::builder()
        .with_size(vec2(SIZE[0], SIZE[1]))
        .build_eframe(|cc| {
            WorkbenchApp::with_workspace(&cc.egui_ctx, &path, REVIEWER)
                .unwrap_or_else(|e| fail(&e.to_string()))
        });
    h.step();
    let opened = Instant::now();
    h.state_mut().push(Command::ShowView(View::Indicators));
    step_until(&mut h, |h| {
        !h.state().indicators().is_waiting() && !h.state().indicators().substances.is_empty()
    });
    println!(
        "Indicateurs view opened (indicator index read on its worker): {:.0} ms",
        opened.elapsed().as_secs_f64() * 1e3
    );
    let codes: Vec<String> = h
        .state()
        .indicators()
        .substances
        .iter()
        .take(20)
        .map(|s| s.code.clone())
        .collect();
    let mut samples = Vec::new();
    for code in codes.iter().chain(codes.iter()) {
        let (wall, cpu) = (Instant::now(), thread_cpu_ns());
        h.state_mut().push(Command::PickSubstance(code.clone()));
        step_until(&mut h, |h| {
            let st = h.state().indicators();
            !st.is_waiting() && st.current.as_ref().and_then(|c| c.code.as_deref()) == Some(code)
        });
        samples.push((wall.elapsed().as_secs_f64() * 1e3, cpu_ms_since(cpu)));
    }
    report(
        "kittest harness, pick a substance → its charts drawn (20 largest, twice)",
        &samples,
    );
}

/// Runs frames until `done` holds (at most 60 s).
fn step_until(
    h: &mut Harness<'_, WorkbenchApp>,
    done: impl Fn(&Harness<'_, WorkbenchApp>) -> bool,
) {
    let started = Instant::now();
    loop {
        h.step();
        if done(h) {
            // One more frame: the one that draws what just arrived.
            h.step();
            return;
        }
        if started.elapsed().as_secs() > 60 {
            fail("the Indicateurs view did not answer within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    }
}

/// Prints the mean CPU time per frame (the thread's CPU time over all the
/// frames, divided: the kernel's per-thread counter advances by scheduler
/// ticks, too coarse for one frame) and the mean, median, p95 and max wall
/// time of single frames.
fn report(what: &str, samples: &[(f64, f64)]) {
    let n = samples.len().max(1);
    let cpu_mean = samples.iter().map(|s| s.1).sum::<f64>() / n as f64;
    let mut wall: Vec<f64> = samples.iter().map(|s| s.0).collect();
    wall.sort_by(f64::total_cmp);
    let at = |q: f64| {
        wall.get(((n - 1) as f64 * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let wall_mean = wall.iter().sum::<f64>() / n as f64;
    println!(
        "{what}: {} frames; CPU mean {cpu_mean:.2} ms/frame; wall mean {wall_mean:.2} ms, \
         median {:.2}, p95 {:.2}, max {:.2}",
        samples.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

// ----- measuring -----

/// This thread's time on CPU in nanoseconds (Linux); 0 elsewhere.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn cpu_ms_since(start: u64) -> f64 {
    thread_cpu_ns().saturating_sub(start) as f64 / 1e6
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
