/** Canned answers: a technician's own ("My answers") and the teams' (administration); a component per file under answers/. */
import { AnswersPage } from './answers/answers-page.tsx';

export function MyAnswers() {
  return <AnswersPage kind="personal" />;
}

export function AdminAnswers() {
  return <AnswersPage kind="team" />;
}
