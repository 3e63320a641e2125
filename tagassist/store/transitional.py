"""TEMPORARY (issue 22): the old ``Store`` method names, each handing on to its repository,
while callers move to ``store.<repository>.<method>``; removed group by group."""


class TransitionalNames:
    # -- tagging
    def add_tags(self, *args, **kwargs):
        return self.tagging.add_tags(*args, **kwargs)

    def remove_tags(self, *args, **kwargs):
        return self.tagging.remove_tags(*args, **kwargs)

    def reject_tags(self, *args, **kwargs):
        return self.tagging.reject_tags(*args, **kwargs)

    def tag_state(self, *args, **kwargs):
        return self.tagging.tag_state(*args, **kwargs)

    def restore_tag_state(self, *args, **kwargs):
        return self.tagging.restore_tag_state(*args, **kwargs)

    def import_file_keywords(self, *args, **kwargs):
        return self.tagging.import_file_keywords(*args, **kwargs)

    # -- sync
    def sync_state(self, *args, **kwargs):
        return self.sync.state(*args, **kwargs)

    def apply_sync_plan(self, *args, **kwargs):
        return self.sync.apply_plan(*args, **kwargs)

    def set_base_keywords(self, *args, **kwargs):
        return self.sync.set_base_keywords(*args, **kwargs)

    def set_file_bases(self, *args, **kwargs):
        return self.sync.set_file_bases(*args, **kwargs)

    def set_file_base(self, *args, **kwargs):
        return self.sync.set_file_base(*args, **kwargs)

    def mark_removals_written(self, *args, **kwargs):
        return self.sync.mark_removals_written(*args, **kwargs)

    def mark_removals_pending(self, *args, **kwargs):
        return self.sync.mark_removals_pending(*args, **kwargs)

    def removal_history(self, *args, **kwargs):
        return self.sync.removal_history(*args, **kwargs)

    def file_keywords(self, *args, **kwargs):
        return self.sync.file_keywords(*args, **kwargs)

    # -- exports
    def export_backup_dir(self, *args, **kwargs):
        return self.exports.backup_dir(*args, **kwargs)

    def start_export_run(self, *args, **kwargs):
        return self.exports.start_run(*args, **kwargs)

    def record_exported_file(self, *args, **kwargs):
        return self.exports.record_file(*args, **kwargs)

    def has_exported_file(self, *args, **kwargs):
        return self.exports.has_file(*args, **kwargs)

    def export_runs(self, *args, **kwargs):
        return self.exports.runs(*args, **kwargs)

    def exported_files(self, *args, **kwargs):
        return self.exports.files(*args, **kwargs)

    def mark_file_undoing(self, *args, **kwargs):
        return self.exports.mark_file_undoing(*args, **kwargs)

    def mark_export_undone(self, *args, **kwargs):
        return self.exports.mark_run_undone(*args, **kwargs)

    # -- aliases
    def aliases(self, *args, **kwargs):
        return self._aliases.of(*args, **kwargs)

    def canonical_names(self, *args, **kwargs):
        return self._aliases.canonical_names(*args, **kwargs)

    def fold_aliases(self, *args, **kwargs):
        return self._aliases.fold(*args, **kwargs)

    # -- keywords
    def keyword_subtree(self, *args, **kwargs):
        return self.keywords.subtree(*args, **kwargs)

    def keyword_edits(self, *args, **kwargs):
        return self.keywords.edits(*args, **kwargs)

    def rename_keyword(self, *args, **kwargs):
        return self.keywords.rename(*args, **kwargs)

    def merge_keywords(self, *args, **kwargs):
        return self.keywords.merge(*args, **kwargs)

    def delete_keyword(self, *args, **kwargs):
        return self.keywords.delete(*args, **kwargs)

    def add_aliases(self, *args, **kwargs):
        return self.keywords.add_aliases(*args, **kwargs)

    def undo_keyword_edit(self, *args, **kwargs):
        return self.keywords.undo_edit(*args, **kwargs)
