import { useRef, type KeyboardEvent } from 'react';
import { useI18n } from '../../../i18n/i18n.tsx';
import { localeName } from './locale-name.ts';
import { sameLocale, type VariantDraft } from './variant-draft.ts';

export const variantTabId = (locale: string) => `tpl-variant-tab-${locale}`;
export const VARIANT_PANEL_ID = 'tpl-variant-panel';

/**
 * The template's languages as tabs (a WAI-ARIA tablist: arrows, Home and End move between them and select), each
 * named in the reader's language with its tag, the default marked; and the button that adds a language.
 */
export function VariantTabs(props: {
  variants: readonly VariantDraft[];
  selected: string;
  defaultLocale: string;
  onSelect(locale: string): void;
  onAdd(): void;
}) {
  const { t, locale: uiLocale } = useI18n();
  const tabs = useRef(new Map<string, HTMLButtonElement>());

  function onKeyDown(event: KeyboardEvent, index: number) {
    const n = props.variants.length;
    const to =
      event.key === 'ArrowRight'
        ? (index + 1) % n
        : event.key === 'ArrowLeft'
          ? (index - 1 + n) % n
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? n - 1
              : -1;
    if (to < 0) return;
    event.preventDefault();
    const locale = props.variants[to]!.locale;
    props.onSelect(locale);
    tabs.current.get(locale)?.focus();
  }

  return (
    <div className="variant-bar">
      <div className="tabs variant-tabs" role="tablist" aria-label={t('templates.variants')}>
        {props.variants.map((v, i) => {
          const on = sameLocale(v.locale, props.selected);
          const name = localeName(uiLocale, v.locale);
          return (
            <button
              key={v.locale}
              ref={(el) => {
                if (el) tabs.current.set(v.locale, el);
                else tabs.current.delete(v.locale);
              }}
              type="button"
              role="tab"
              id={variantTabId(v.locale)}
              aria-selected={on}
              aria-controls={on ? VARIANT_PANEL_ID : undefined}
              tabIndex={on ? 0 : -1}
              className={on ? 'tab variant-tab tab-on' : 'tab variant-tab'}
              onClick={() => props.onSelect(v.locale)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              {/* Spaces between the parts, so that the tab's accessible name reads "Brazilian Portuguese pt-BR". */}
              {name ? <span className="variant-tab-name">{name}</span> : null}{' '}
              <span className="variant-tab-tag">{v.locale}</span>
              {sameLocale(v.locale, props.defaultLocale) ? (
                <>
                  {' '}
                  <span className="badge badge-ok variant-tab-default">{t('templates.variantDefault')}</span>
                </>
              ) : null}
            </button>
          );
        })}
      </div>
      <button type="button" className="button button-small variant-add" onClick={props.onAdd}>
        {t('templates.addVariant')}
      </button>
    </div>
  );
}
