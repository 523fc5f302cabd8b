// the suite's one polling helper, shared with the drill and the topology (scripts/ never import test/)
export { eventually } from '../../scripts/eventually';
