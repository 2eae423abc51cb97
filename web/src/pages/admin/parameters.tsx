/** The parameters of the admin area: a component per file under parameters/. */
export { AdminParameters } from './parameters/parameters-page.tsx';
