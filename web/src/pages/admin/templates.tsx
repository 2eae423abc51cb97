/** Email templates of the admin area: a component per file under templates/. */
export { AdminTemplates } from './templates/templates-page.tsx';
export { TemplateEditor } from './templates/template-editor.tsx';
