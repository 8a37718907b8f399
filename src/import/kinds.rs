//! What each kind of file gets: its reading spec (columns, text options,
//! field counts: [`kind_spec`]) and its converter ([`Converter`]). The one
//! place that knows every source module; the sources know only the shared
//! column and converter interfaces, so none of them depends on another.

use super::columns::{ColumnSpec, KindSpec};
use super::convert::{Outcome, RowContext};
use super::table::TextOptions;
use super::{bdpm, bnpv, codex, openmedic};
use crate::error::Result;
use crate::model::Kind;
use crate::store::imports::{KeyCache, RowBatch};

/// The reading spec of a kind.
pub fn kind_spec(kind: Kind) -> KindSpec {
    let csv = TextOptions {
        has_header: true,
        separator: None,
        quoting: true,
    };
    let bdpm_text = TextOptions {
        has_header: false,
        separator: Some(b'\t'),
        quoting: false,
    };
    let headed = |columns| KindSpec {
        columns,
        text: csv,
        field_counts: None,
    };
    let bdpm = |columns: &'static [ColumnSpec], min, max| KindSpec {
        columns,
        text: bdpm_text,
        field_counts: Some((min, max)),
    };
    match kind {
        Kind::BnpvCases => headed(bnpv::CASE_COLUMNS),
        Kind::BnpvDrugs => headed(bnpv::DRUG_COLUMNS),
        Kind::BnpvEffects => headed(bnpv::EFFECT_COLUMNS),
        Kind::CodexVu => headed(codex::VU_COLUMNS),
        Kind::CodexProduit => headed(codex::PRODUIT_COLUMNS),
        Kind::CodexProduitHisto => headed(codex::PRODUIT_HISTO_COLUMNS),
        Kind::CodexPresentations => headed(codex::PRESENTATION_COLUMNS),
        Kind::CodexComposants => headed(codex::COMPOSANT_COLUMNS),
        Kind::CodexNomsSubstance => headed(codex::NOMS_SUBSTANCE_COLUMNS),
        Kind::CodexHistoNomsVu => headed(codex::HISTO_NOMS_VU_COLUMNS),
        Kind::CodexVuAtc => headed(codex::VU_ATC_COLUMNS),
        Kind::BdpmCis => bdpm(bdpm::CIS_COLUMNS, 12, 12),
        Kind::BdpmCip => bdpm(bdpm::CIP_COLUMNS, 9, 13),
        Kind::BdpmCompo => bdpm(bdpm::COMPO_COLUMNS, 8, 8),
        Kind::BdpmGener => bdpm(bdpm::GENER_COLUMNS, 5, 5),
        Kind::OpenMedic => headed(openmedic::COLUMNS),
    }
}

/// Dispatches rows to the converter of their kind.
pub(super) enum Converter {
    Cases(bnpv::CaseConverter),
    Drugs(bnpv::DrugConverter),
    Effects(bnpv::EffectConverter),
    Codex(Kind),
    Bdpm(Kind),
    OpenMedic(openmedic::OpenMedicConverter),
}

impl Converter {
    pub(super) fn new(kind: Kind) -> Converter {
        match kind {
            Kind::BnpvCases => Converter::Cases(bnpv::CaseConverter::default()),
            Kind::BnpvDrugs => Converter::Drugs(bnpv::DrugConverter::default()),
            Kind::BnpvEffects => Converter::Effects(bnpv::EffectConverter::default()),
            Kind::BdpmCis | Kind::BdpmCip | Kind::BdpmCompo | Kind::BdpmGener => {
                Converter::Bdpm(kind)
            }
            Kind::OpenMedic => Converter::OpenMedic(openmedic::OpenMedicConverter::default()),
            _ => Converter::Codex(kind),
        }
    }

    pub(super) fn convert(
        &mut self,
        ctx: &mut RowContext<'_>,
        keys: &mut KeyCache,
        batch: &mut RowBatch,
    ) -> Result<Outcome> {
        match self {
            Converter::Cases(c) => c.convert(ctx, keys, batch),
            Converter::Drugs(c) => c.convert(ctx, keys, batch),
            Converter::Effects(c) => c.convert(ctx, keys, batch),
            Converter::Codex(kind) => Ok(codex::convert(*kind, ctx)),
            Converter::Bdpm(kind) => Ok(bdpm::convert(*kind, ctx)),
            Converter::OpenMedic(c) => c.convert(ctx),
        }
    }
}
