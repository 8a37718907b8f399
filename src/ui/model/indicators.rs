//! The Indicateurs view's worker: one thread ([`crate::jobs::Job`]) that
//! owns its own connection to the workspace and keeps the [`Computation`]
//! of the current period, reusing it for every substance picked. The UI
//! thread sends [`Request`]s and takes [`Reply`]s without ever waiting; the
//! worker calls a repaint hook after each reply. Plain Rust, no UI types.

use std::path::PathBuf;
use std::sync::mpsc;

use crate::error::{Error, Result};
use crate::indicators::disclosure::Rule;
use crate::indicators::{
    Computation, Indicators, PendingImpact, Period, SubstanceCount, YearRange,
};
use crate::jobs::{Job, Progress, RepaintHook};
use crate::store::Store;

/// A request to the worker.
pub enum Request {
    /// Read the workspace again (decisions or imports changed), prepare
    /// the computation of a period and list its substances.
    Reload(Period),
    /// Another period of the computation already read, and its substances.
    Period(Period),
    /// The indicators and pending impact of one substance.
    Substance(String),
}

/// A result from the worker.
pub enum Reply {
    /// The substances of the period just prepared.
    Substances {
        /// The years the cases of the period span.
        years: YearRange,
        /// The workspace's disclosure rule.
        rule: Rule,
        /// The substances with cases in the period, most cases first.
        list: Vec<SubstanceCount>,
    },
    /// One substance's indicators and pending impact.
    Substance(Box<(Indicators, Vec<PendingImpact>)>),
    /// Something failed.
    Failed(Error),
}

/// The worker thread and its channels.
pub struct Worker {
    /// Where requests go.
    pub requests: mpsc::Sender<Request>,
    /// Where replies come from.
    pub replies: mpsc::Receiver<Reply>,
    _job: Job<()>,
}

impl Worker {
    /// Starts the worker on `path`; it calls `repaint` after each reply.
    pub fn start(path: PathBuf, repaint: RepaintHook) -> Result<Worker> {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (outbox, replies) = mpsc::channel::<Reply>();
        let job = Job::spawn("datamed-indicators", Progress::new(), move |_| {
            let store = Store::open(&path)?;
            let mut computation: Option<Computation<'_>> = None;
            while let Ok(request) = inbox.recv() {
                let reply = match answer(&store, &mut computation, request) {
                    Ok(reply) => reply,
                    Err(e) => Reply::Failed(e),
                };
                if outbox.send(reply).is_err() {
                    break;
                }
                repaint();
            }
            Ok(())
        })?;
        Ok(Worker {
            requests,
            replies,
            _job: job,
        })
    }
}

/// Answers one request on the worker thread.
fn answer<'s>(
    store: &'s Store,
    computation: &mut Option<Computation<'s>>,
    request: Request,
) -> Result<Reply> {
    let next = match request {
        Request::Substance(code) => {
            return match computation {
                Some(c) => Ok(Reply::Substance(Box::new((
                    c.substance(&code)?,
                    c.pending_impact(&code)?,
                )))),
                None => Err(Error::Usage("no period prepared".into())),
            };
        }
        // A new period reuses what was read; only a reload reads again.
        Request::Period(period) => match computation.as_ref() {
            Some(previous) => previous.with_period(period)?,
            None => Computation::new(store, period)?,
        },
        Request::Reload(period) => {
            *computation = None;
            Computation::new(store, period)?
        }
    };
    let reply = Reply::Substances {
        years: next.years(),
        rule: next.rule(),
        list: next.substances()?,
    };
    *computation = Some(next);
    Ok(reply)
}
