/** The bare workflow's activity: it does nothing, as the baseline's effects cost nothing. */
export const bareActivities = {
  async step(key: string): Promise<string> {
    return key;
  },
};
