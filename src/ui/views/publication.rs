//! In the portal export dialog, before writing: what the export would
//! change against the last export recorded in the workspace (the dry run
//! `datamed export portal --dry-run` prints) — substances added and
//! removed, published counts that change value, are newly hidden or shown,
//! rows of the transcoding table changed — with a few examples.

use eframe::egui;
use egui::RichText;

use super::super::command::Command;
use super::super::session::{JobKind, JobView};
use super::super::theme;
use crate::export::publication::{CellChange, DryRun};
use crate::ui::i18n;

/// The preview button and, once computed, the summary.
pub fn preview_ui(
    ui: &mut egui::Ui,
    preview: Option<&Result<DryRun, String>>,
    job: Option<&JobView>,
    out: &mut Vec<Command>,
) {
    let running = job.filter(|j| j.kind == JobKind::PortalPreview);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(job.is_none(), egui::Button::new("Voir ce qui changera"))
            .on_hover_text(
                "Compare avec le dernier export enregistré dans l'espace, sans rien écrire",
            )
            .clicked()
        {
            out.push(Command::PreviewPortalExport);
        }
        if let Some(job) = running {
            super::chrome::job_progress_ui(ui, job, out);
        }
    });
    match preview {
        Some(Ok(run)) => summary_ui(ui, run),
        Some(Err(message)) => {
            ui.label(RichText::new(message).color(theme::BAD));
        }
        None => {}
    }
}

/// A published value: the value, "masqué", or "absent".
fn published(v: &Option<Option<String>>) -> String {
    match v {
        None => "absent".into(),
        Some(None) => i18n::MASKED.into(),
        Some(Some(v)) if v.is_empty() => "vide".into(),
        Some(Some(v)) => v.clone(),
    }
}

fn example(e: &CellChange, with_table: bool) -> String {
    format!(
        "{}{} — {} : {} → {}",
        if with_table {
            format!("{} · ", e.table)
        } else {
            String::new()
        },
        e.key.join(" · "),
        e.column,
        published(&e.before),
        published(&e.after)
    )
}

fn summary_ui(ui: &mut egui::Ui, run: &DryRun) {
    let c = &run.changes;
    match &run.previous {
        Some(p) => ui.label(format!(
            "Par rapport au dernier export ({}, {}) :",
            i18n::date_time(&p.exported_at),
            p.dir
        )),
        None => ui.label("Aucun export enregistré dans cet espace : tout serait nouveau."),
    };
    if run.previous.is_some() && c.is_empty() {
        ui.label(
            RichText::new("Aucun changement : l'export publierait exactement la même chose.")
                .color(theme::GOOD),
        );
        return;
    }
    let n = &c.counts;
    let lines = [
        format!(
            "Substances : {} ajoutée(s), {} retirée(s) — {} publiées",
            i18n::int(c.substances_added.len() as i64),
            i18n::int(c.substances_removed.len() as i64),
            i18n::int(run.substances as i64)
        ),
        format!(
            "Effectifs publiés : {} changent de valeur, {} nouvellement masqués, {} nouvellement affichés, {} nouveaux, {} disparus",
            i18n::int(n.changed as i64),
            i18n::int(n.newly_hidden as i64),
            i18n::int(n.newly_shown as i64),
            i18n::int(n.added as i64),
            i18n::int(n.removed as i64)
        ),
        format!(
            "Table de transcodage : {} ligne(s) modifiée(s), {} ajoutée(s), {} retirée(s)",
            i18n::int(c.transcoding.changed as i64),
            i18n::int(c.transcoding.added as i64),
            i18n::int(c.transcoding.removed as i64)
        ),
    ];
    for line in lines {
        ui.label(line);
    }
    if c.other_values_changed > 0 {
        ui.label(format!(
            "Autres valeurs publiées modifiées (noms, niveaux d'usage, taux) : {}",
            i18n::int(c.other_values_changed as i64)
        ));
    }
    if run.refused {
        ui.label(
            RichText::new("En l'état, l'export serait refusé : trop de noms en attente.")
                .color(theme::BAD),
        );
    }
    egui::CollapsingHeader::new("Exemples")
        .id_salt("portal-preview-examples")
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .max_height(160.0)
                .show(ui, |ui| {
                    for (code, name) in c.substances_added.iter().take(10) {
                        ui.label(format!("+ {code} {name}"));
                    }
                    for (code, name) in c.substances_removed.iter().take(10) {
                        ui.label(format!("− {code} {name}"));
                    }
                    for e in &c.count_examples {
                        ui.label(RichText::new(example(e, true)).small());
                    }
                    for e in &c.transcoding_examples {
                        ui.label(RichText::new(example(e, false)).small());
                    }
                });
        });
}
